"""Person names found by context: name-list words and statistical NER, each scored
by the evidence around them.

A name-list word alone is weak evidence (many are also English or clinical words),
so it counts only with name-like context: a title or credential ("Dr", "Mr", "RN"),
a family-role word ("wife", "son"), another name token or an initial beside it,
or, in mixed-case text, its own capitalisation away from a sentence start.
spaCy NER is used only where capitalisation still carries meaning, and its
entities must look like proper nouns that are not clinical vocabulary.
"""
from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from deid import entities
from deid.letters import APOSTROPHES, LETTER, NOT_AFTER_LETTER, title_case
from deid.nlp import UPPER_CASE_SHARE, letter_counts, mostly_upper
from deid.recognizers.base import PreparedRecognizer
from deid.recognizers.lexicon import (
    common_words,
    drug_names,
    name_introducers,
    never_phi,
    not_a_name,
    person_names,
    stop_words,
    words,
)

_WORD = re.compile(rf"{LETTER}(?:{LETTER}|[{APOSTROPHES}-])+")
_TOKEN = re.compile(rf"{LETTER}(?:{LETTER}|[{APOSTROPHES}-])*\.?")
_DEVICE_AFTER = re.compile(r"\s*(?:j\b|collar|brace)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\n*#>-]|\s{2,})\s*$")


def _mixed_case(text: str) -> bool:
    letters, upper = letter_counts(text)
    return bool(letters) and 0.02 < upper / letters <= UPPER_CASE_SHARE


def _sentence_initial(text: str, start: int) -> bool:
    return bool(_SENTENCE_END.search(text[max(0, start - 4):start]))


class NameListRecognizer(PreparedRecognizer):
    """Words on the first/last name lists, kept only with name-like context."""

    SCORE = 0.75

    def __init__(self):
        super().__init__(supported_entities=[entities.NAME], name="NameListRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        names = person_names()
        tokens = list(_TOKEN.finditer(text))
        mixed = _mixed_case(text)
        titles, roles = words("name_titles"), words("family_roles")
        results = []
        for index, match in enumerate(tokens):
            word = match.group().rstrip(".")
            if word.lower() not in names:
                continue
            if self._has_context(text, tokens, index, mixed, names, titles, roles) or self._signs_note(text, match):
                end = self._surname_after(text, tokens, index, mixed) or match.start() + len(word)
                results.append(RecognizerResult(self.supported_entities[0], match.start(), end, self.SCORE))
        return results

    @staticmethod
    def _signs_note(text, match) -> bool:
        """A first name as the note's last word: the writer's signature ("... 1400U/HR. SUSAN")."""
        return not text[match.end():].strip(" \t\r\n.") and match.group().rstrip(".").lower() in words("first_names")

    @staticmethod
    def _surname_after(text, tokens, index, mixed) -> int | None:
        """End of the word after a name when it can only be a surname: no dictionary, clinical
        or drug word ("mary theresa kondouli", "Irene Czyzewicz"); None otherwise."""
        if index + 1 >= len(tokens) or text[tokens[index].end():tokens[index + 1].start()] != " ":
            return None
        name, after = tokens[index].group(), tokens[index + 1].group()
        if mixed and after[0].islower() and not name[0].islower():
            return None  # "Irene went": a capitalised name and a lower-case word
        word = after.rstrip(".").lower().strip("'-").split("-")[0]  # "KNIGHT AWARE-ORDER"
        known = (common_words(), never_phi(), drug_names(), not_a_name(), words("facility_words"))
        if len(word) < 3 or any(word in lexicon for lexicon in known):
            return None
        return tokens[index + 1].start() + len(after.rstrip(".-"))

    @staticmethod
    def _has_context(text, tokens, index, mixed, names, titles, roles) -> bool:
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
        prev_word = before.group().rstrip(".").lower() if near_before else ""
        next_word = after.group().rstrip(".").lower() if near_after else ""
        if prev_word in titles or prev_word.rstrip("'s") in roles or next_word in titles:
            return True
        if prev_word == "with" and index > 1 and tokens[index - 2].group().lower() in words("conversation_verbs"):
            return True  # "talked with helen from case management"
        if (near_before and (prev_word in names or len(prev_word) == 1 and before.group()[0].isupper())) \
                or (near_after and next_word in names and next_word not in never_phi()):
            return True
        if mixed and not _sentence_initial(text, match.start()):
            return True
        return False


class CaseAwareNerRecognizer(PreparedRecognizer):
    """spaCy NER entities, used only where capitalisation still carries meaning.

    In mostly upper-case text (telegraphic nursing notes) spaCy tags
    abbreviations as people and organisations, so its entities are ignored there.
    Organisations count only when they name a facility; single-word entities at a
    sentence start only when the word is on a name list.
    """

    def __init__(self, labels: dict[str, str], score: float = 0.6):
        self.labels = labels
        self.score = score
        super().__init__(supported_entities=sorted(set(labels.values())), name="CaseAwareNerRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        if nlp_artifacts is None or mostly_upper(text):
            return []
        results = []
        for ent in nlp_artifacts.tokens.ents:
            if ent.label_ not in self.labels or not self._plausible(text, ent):
                continue
            kind = self.labels[ent.label_]
            start, end = (strip_titles(text, ent.start_char, ent.end_char) if kind == _NAME
                          else (ent.start_char, ent.end_char))
            if start < end:
                results.append(RecognizerResult(kind, start, end, self.score))
        return results

    def _plausible(self, text, ent) -> bool:
        if _DEVICE_AFTER.match(text, ent.end_char):
            return False  # "Miami J collar", "Philadelphia collar"
        found = _WORD.findall(ent.text)
        if not _looks_like_proper_noun(ent.text):
            return False
        kind = self.labels[ent.label_]
        lowered = [w.lower() for w in found]
        if set(lowered) & drug_names() and not set(lowered) & person_names():
            return False  # "Mesalamine", "Calcium Gluconate", "Amio"
        if kind == entities.ORGANIZATION:
            # on ICU notes other organisations were lab values and units ("Mg 1.8", "Surg") 47 times in 48,
            # so an organisation counts when it names a facility or follows work words ("his business Acme")
            return bool(set(lowered) & words("facility_words")) or _after_employer_word(text, ent.start_char) \
                or _person_like(ent.text)
        if any(w in person_names() for w in lowered):
            return True
        if len(found) == 1 and _sentence_initial(text, ent.start_char):
            return False
        return not any(w in never_phi() for w in lowered if w not in stop_words())


# a sentence ends at a line break or a full stop, but not after an initial or a title ("Jane A. Doe", "St. Luke's")
_SENTENCE_BREAK = re.compile(r"\n|(?<![A-Z])(?<!\b(?:St|Dr|Mr|Ms|Mt|Jr|Sr))(?<!\bMrs)[.!?]+(?=\s)")
_WORD_START = re.compile(rf"(?<![{APOSTROPHES}]){NOT_AFTER_LETTER}{LETTER}(?:{LETTER}|[{APOSTROPHES}-])+")


def ner_segments(text: str) -> list[tuple[int, int]]:
    """The sentences spaCy NER needs to read: those with a capitalised word that could be a
    name, that is no clinical, stop or drug word and, first in its sentence, no dictionary
    word either ("Lungs clear." is skipped, "Seen by Dr. Marder." and "Zagaria called." are read).
    On a mixed-case nursing corpus that is about a tenth of the text, and NER is most of the cost."""
    segments, start = [], 0
    for end in [m.end() for m in _SENTENCE_BREAK.finditer(text)] + [len(text)]:
        if start < end and _may_name(text[start:end]):
            segments.append((start, end))
        start = end
    return segments


def _may_name(sentence: str) -> bool:
    capitalised = (m for m in _WORD_START.finditer(sentence) if m.group()[0].isupper() and m.group()[1].islower())
    for position, word in enumerate(capitalised):
        lowered = word.group().lower()
        if lowered in never_phi() or lowered in drug_names():
            continue
        opens_sentence = position == 0 and not sentence[:word.start()].strip(" \t\n\"'(-*#>:")
        if not (opens_sentence and lowered in common_words()):
            return True
    return False


def _after_employer_word(text: str, start: int) -> bool:
    """'his business Acme', 'works at Acme': a work word, then only linking words."""
    links = _LINK_WORDS.search(text, 0, start)
    before = _WORD_BEFORE.search(text, 0, links.start() if links else start)
    return bool(links and before and before.group(1).lower() in words("employer_words"))


def _person_like(value: str) -> bool:
    """Two or three capitalised words, none a clinical or drug word and not all dictionary words:
    spaCy often calls a foreign name ("Hedvig Arvidsson") an organisation, but not "Assist Control"."""
    found = value.split()
    return 2 <= len(found) <= 3 and any(w.lower() not in common_words() for w in found) and all(
        title_case(w) and w.lower() not in never_phi() and w.lower() not in drug_names()
        for w in found)


_LINK_WORDS = re.compile(r"(?:\s+(?:at|for|by|with|as|is|was|his|her|their|own|the|a|an|of))*\s+$", re.IGNORECASE)
_WORD_BEFORE = re.compile(rf"({LETTER}+)$")
_NAME = entities.NAME
_HONORIFICS = frozenset({"dr", "drs", "doctor", "mr", "mrs", "ms", "miss", "mister", "prof"})
_LEADING_TITLE = re.compile(rf"({LETTER}+)(?:\.\s*|\s+)")
_TRAILING_COUNT = re.compile(r"\s+x\d+$", re.IGNORECASE)


def strip_titles(text: str, start: int, end: int) -> tuple[int, int]:
    """A person span without a leading title ("Mrs Nicholson" -> "Nicholson") or a
    trailing count ("x2"): a title identifies nobody and stays readable."""
    while (match := _LEADING_TITLE.match(text, start, end)) and match.group(1).lower() in _HONORIFICS:
        start = match.end()
    if trailing := _TRAILING_COUNT.search(text[start:end]):
        end = start + trailing.start()
    return start, end


def _looks_like_proper_noun(value: str) -> bool:
    """Title-case words, not all allow-listed: rules out 'abd', 'GTT', 'Lasix'."""
    words_ = _WORD.findall(value)
    return (
        bool(words_)
        and all(w[0].isupper() and not w.isupper() for w in words_)
        and not all(w.lower() in never_phi() for w in words_)
    )


_GAP = re.compile(r"[ \t.,:;(]{0,4}")


def _ends_sentence(tokens, index) -> bool:
    """A word written with a full stop that is not an initial or a title ("TIME.", "HO.")."""
    token = tokens[index].group()
    return token.endswith(".") and len(token) > 2 and token[:-1].lower() not in words("name_titles")


_SECOND_WORD_OF_ROLE = {"other": "significant", "person": "contact"}  # "SIGNIFICANT OTHER", "CONTACT PERSON (CHARLIE)"
# "lorrie morales is a 70 yr old female": a note that opens with the patient's name
_INTRODUCED_PATIENT = re.compile(
    r"(?:^|\n)\s*([A-Za-z][a-z'-]+(?:\s+[A-Za-z][a-z'-]+){0,2})(?=\s+is\s+an?\s+\d{1,3}\s*(?:-\s*)?(?:y|yo|yr|year))")
# "per d ross": "per" and an initial before a listed name
_PER_INITIAL = re.compile(rf"\bper\s+({LETTER}\.?\s?({LETTER}(?:{LETTER}|[{APOSTROPHES}-])+))\b", re.IGNORECASE)


class ContextNameRecognizer(PreparedRecognizer):
    """Names by strong context, in any case: after a title, clinical role or family
    role ("DR.DISANGRO", "HOUSE STAFF mary souza", "DAUGHTER LISA ROSSETTI"),
    before a credential ("Marie Munroe RN"), and a capitalised word before an
    initial in mixed-case text ("Frank L."). A word right after the context word
    counts unless it is a stop, clinical or role-verb word (not_names.txt).
    """

    SCORE = 0.8

    def __init__(self):
        super().__init__(supported_entities=[entities.NAME], name="ContextNameRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        tokens = list(_TOKEN.finditer(text))
        lowered = [t.group().rstrip(".").lower() for t in tokens]
        mixed = _mixed_case(text)
        spans = []
        for index, word in enumerate(lowered):
            introduces = self._introduces(lowered, index)
            if introduces:
                spans += self._names_after(text, tokens, lowered, index, mixed)
            if word in words("credentials") and index:  # "RN" both follows and introduces
                spans += self._names_before(text, tokens, lowered, index, mixed)
            elif not introduces and mixed and self._before_initial(text, tokens, lowered, index):
                spans.append((tokens[index].start(), tokens[index + 1].end()))
            elif word in words("name_after_words") and index:
                spans += self._first_name_before(text, tokens, lowered, index, mixed)
        spans += [m.span(1) for m in _INTRODUCED_PATIENT.finditer(text)
                  if not any(w.lower() in not_a_name() for w in _WORD.findall(m.group(1)))]
        spans += [m.span(1) for m in _PER_INITIAL.finditer(text)
                  if m.group(2).lower() in person_names()]
        return [RecognizerResult(self.supported_entities[0], start, end, self.SCORE) for start, end in spans]

    @staticmethod
    def _introduces(lowered, index) -> bool:
        word = lowered[index]
        if word.endswith("'s"):
            word = word[:-2]
        if word in _SECOND_WORD_OF_ROLE:
            return index > 0 and lowered[index - 1] == _SECOND_WORD_OF_ROLE[word]
        return word in name_introducers()

    @staticmethod
    def _near(text, tokens, first, second) -> bool:
        return bool(_GAP.fullmatch(text[tokens[first].end():tokens[second].start()]))

    @staticmethod
    def _initial(tokens, index) -> bool:
        token = tokens[index].group()
        return len(token) == 2 and token[1] == "." and token[0].isalpha()

    @staticmethod
    def _name_word(tokens, lowered, index, mixed, titled=False) -> bool:
        """Whether the word can be a name here. After a title ("Dr. Small") any word but a
        stop or clinical word can; after a role or credential, not a dictionary word."""
        token, word = tokens[index].group().rstrip("."), lowered[index]
        if len(word) < 2 or word in not_a_name() or not titled and word in common_words():
            return False
        if len(word) >= 5 and word.endswith(("ed", "ing")) and word not in person_names():
            return False
        return not mixed or (token[0].isupper() and not token.isupper()) or len(token) > 1 and token.isupper()

    def _names_after(self, text, tokens, lowered, index, mixed):
        found = []
        cursor = index + 1
        title = lowered[index] in words("name_titles")
        if not title and _ends_sentence(tokens, index):
            return []  # "PER HO. SLEPT WELL": the role word ends its sentence
        while cursor < len(tokens) and len(found) < 3 and self._near(text, tokens, cursor - 1, cursor):
            if found and _ends_sentence(tokens, found[-1]):
                break  # "Dr. Vasquez. Await PT eval"
            if found and not mixed and not self._initial(tokens, found[-1]) and not (
                    lowered[cursor] in person_names() or lowered[found[-1]] in words("first_names")):
                break  # a second word in caseless text is a name-list word or follows a first name
            if self._name_word(tokens, lowered, cursor, mixed, title) or self._initial(tokens, cursor) and (
                    title or cursor + 1 < len(tokens) and self._name_word(tokens, lowered, cursor + 1, mixed)):
                found.append(cursor)
                cursor += 1
            else:
                break
        if not found:
            return []
        # a title is not PHI: "Dr. [NAME]" stays readable; a full stop ends the sentence
        last = tokens[found[-1]]
        end = last.end() - 1 if _ends_sentence(tokens, found[-1]) else last.end()
        return [(tokens[found[0]].start(), end)]

    def _names_before(self, text, tokens, lowered, index, mixed):
        found = []
        cursor = index - 1
        while cursor >= 0 and len(found) < 3 and self._near(text, tokens, cursor, cursor + 1):
            if _ends_sentence(tokens, cursor):
                break  # "ALL IS WELL AT THIS TIME. Q. LANDER RRT"
            if self._name_word(tokens, lowered, cursor, mixed) or self._initial(tokens, cursor):
                found.insert(0, cursor)
                cursor -= 1
            else:
                break
        if not found or len(found) == 1 and lowered[found[0]] not in person_names():
            return []
        if not mixed and not any(lowered[i] in person_names() or self._initial(tokens, i) for i in found):
            return []  # "RIGHT GROIN PA LINE": caseless words before a credential need a listed name
        return [(tokens[found[0]].start(), tokens[found[-1]].end())]

    def _first_name_before(self, text, tokens, lowered, index, mixed):
        """'grace dudak aware', 'Helen notified': one or two name words, the first
        on the first-name list, right before a notification word."""
        for size in (2, 1):
            first = index - size
            if first < 0 or not all(self._near(text, tokens, i, i + 1) for i in range(first, index)):
                continue
            if any(_ends_sentence(tokens, i) for i in range(first, index - 1)):
                continue
            if lowered[first] in words("first_names") and lowered[first] not in never_phi() and all(
                    self._name_word(tokens, lowered, i, mixed) for i in range(first, index)):
                return [(tokens[first].start(), tokens[index - 1].end())]
        return []

    def _before_initial(self, text, tokens, lowered, index) -> bool:
        """'Frank L.' / 'Jack R.,': a capitalised word and then a one-letter initial."""
        if index + 1 >= len(tokens) or not self._initial(tokens, index + 1):
            return False
        token = tokens[index].group()
        return (token[0].isupper() and not token.isupper() and not token.endswith(".")
                and text[tokens[index].end():tokens[index + 1].start()] == " "
                and lowered[index] not in not_a_name() and lowered[index] not in common_words())
