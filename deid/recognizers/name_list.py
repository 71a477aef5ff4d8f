"""Words on the first/last name lists, kept only with name-like context.

A name-list word alone is weak evidence (many are also English or clinical words),
so it counts only with name-like context: a title or credential ("Dr", "Mr", "RN"),
a family-role word ("wife", "son"), another name token or an initial beside it,
or, in mixed-case text, its own capitalisation away from a sentence start.
"""
from __future__ import annotations

from presidio_analyzer import RecognizerResult

from deid import entities
from deid.recognizers.base import PreparedRecognizer
from deid.recognizers.lexicon import common_words, drug_names, never_phi, not_a_name, person_names, words
from deid.recognizers.name_tokens import bare, ends_sentence, mixed_case, sentence_initial, tokens_of


class NameListRecognizer(PreparedRecognizer):
    SCORE = 0.75

    def __init__(self):
        super().__init__(supported_entities=[entities.NAME], name="NameListRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        names = person_names()
        tokens, lowered = tokens_of(text)
        mixed = mixed_case(text)
        results = []
        for index, match in enumerate(tokens):
            if lowered[index] not in names:
                continue
            if self._has_context(text, tokens, lowered, index, mixed) or self._signs_note(text, match, mixed):
                end = self._surname_after(text, tokens, index, mixed) or match.start() + len(bare(match.group()))
                results.append(RecognizerResult(self.supported_entities[0], match.start(), end, self.SCORE))
        return results

    @staticmethod
    def _signs_note(text, match, mixed) -> bool:
        """A first name as the note's last word: the writer's signature ("... 1400U/HR. SUSAN"); in mixed
        case only a capitalised one ("... met again last summer." ends in no signature)."""
        if mixed and not match.group()[0].isupper():
            return False
        return not text[match.end():].strip(" \t\r\n.") and match.group().rstrip(".").lower() in words("first_names")

    @staticmethod
    def _surname_after(text, tokens, index, mixed) -> int | None:
        """End of the word after a name when it can only be a surname: no dictionary, clinical
        or drug word ("mary theresa kondouli", "Irene Czyzewicz"); None otherwise."""
        if index + 1 >= len(tokens) or text[tokens[index].end():tokens[index + 1].start()] != " " \
                or ends_sentence(tokens, index):
            return None  # "Dr. Martyn. Thermodilution CO": a full stop after a name ends its sentence
        name, after = tokens[index].group(), tokens[index + 1].group()
        if mixed and after[0].islower() and not name[0].islower():
            return None  # "Irene went": a capitalised name and a lower-case word
        word = bare(after).lower().strip("'-").split("-")[0]  # "KNIGHT AWARE-ORDER"
        known = (common_words(), never_phi(), drug_names(), not_a_name(), words("facility_words"))
        if len(word) < 3 or any(word in lexicon for lexicon in known):
            return None
        return tokens[index + 1].start() + len(bare(after).rstrip("-"))

    @staticmethod
    def _has_context(text, tokens, lowered, index, mixed) -> bool:
        names, titles, roles = person_names(), words("name_titles"), words("family_roles")
        match = tokens[index]
        word = match.group().rstrip(".")
        if mixed and not (word[0].isupper() and not word.isupper()):
            return False  # "will", "mark" in lower case prose
        before = tokens[index - 1] if index else None
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        gap_before = text[before.end():match.start()] if before else ""
        gap_after = text[match.end():after.start()] if after else ""
        near_before = before is not None and "\n" not in gap_before and len(gap_before) <= 3
        near_after = after is not None and "\n" not in gap_after and len(gap_after) <= 3
        prev_word = lowered[index - 1] if near_before else ""
        next_word = lowered[index + 1] if near_after else ""
        if prev_word in titles or prev_word.rstrip("'s") in roles or next_word in titles:
            return True
        if prev_word == "with" and index > 1 and lowered[index - 2] in words("conversation_verbs"):
            return True  # "talked with helen from case management"
        if (near_before and (prev_word in names or len(prev_word) == 1 and before.group()[0].isupper())) \
                or (near_after and next_word in names and next_word not in never_phi()):
            return True
        if mixed and not sentence_initial(text, match.start()):
            return True
        return False
