"""Names after a title, clinical role or family role, in any case: "DR.DISANGRO",
"HOUSE STAFF mary souza", "DAUGHTER LISA ROSSETTI", "SIGNIFICANT OTHER Mary". A word
right after the context word counts unless it is a stop, clinical or role-verb word
(not_names.txt); after a role (not a title) it must be no dictionary word either.
Joined initials after a role name a person too ("resident A.B.", "officers K.M. and P.S.").
"""
from __future__ import annotations

from deid.recognizers.lexicon import name_introducers, person_names, words
from deid.recognizers.name_tokens import CueWordNameRecognizer, ends_sentence, is_initial, joined_initials, name_word, near

MAX_WORDS = 3


def _introduces_name(lowered, index) -> bool:
    """A title or role word, or the second word of a two-word role ("significant other")."""
    if index and f"{lowered[index - 1]} {lowered[index]}" in words("role_phrases"):
        return True
    return lowered[index] in name_introducers()


class RoleNameRecognizer(CueWordNameRecognizer):
    def is_cue(self, lowered, index) -> bool:
        return _introduces_name(lowered, index)

    def names_at(self, text, tokens, lowered, index, mixed):
        title = lowered[index] in words("name_titles")
        if not title and ends_sentence(tokens, index):
            return []  # "PER HO. SLEPT WELL": the role word ends its sentence
        if index + 1 < len(tokens) and joined_initials(tokens, index + 1) and near(text, tokens, index, index + 1):
            return _initials_series(tokens, lowered, index + 1)
        found = []
        cursor = index + 1
        while cursor < len(tokens) and len(found) < MAX_WORDS and near(text, tokens, cursor - 1, cursor):
            if found and ends_sentence(tokens, found[-1]):
                break  # "Dr. Vasquez. Await PT eval"
            if found and not mixed and not is_initial(tokens, found[-1]) and not (
                    lowered[cursor] in person_names() or lowered[found[-1]] in words("first_names")):
                break  # a second word in caseless text is a name-list word or follows a first name
            if name_word(tokens, lowered, cursor, mixed, title) or is_initial(tokens, cursor) and (
                    title or _lone_capital_initial(tokens, found, cursor, mixed)
                    or cursor + 1 < len(tokens) and name_word(tokens, lowered, cursor + 1, mixed)):
                found.append(cursor)
                cursor += 1
            else:
                break
        if not found:
            return []
        # a title is not PHI: "Dr. [NAME]" stays readable; a full stop ends the sentence
        last = tokens[found[-1]]
        end = last.end() - 1 if ends_sentence(tokens, found[-1]) else last.end()
        return [(tokens[found[0]].start(), end)]


def _lone_capital_initial(tokens, found, cursor, mixed) -> bool:
    """A capital initial right after a role in mixed-case text names a person alone, as records
    that withhold names write them ("Captain S. questioned", "nurse K. aware"); not the first
    letter of a credential ("Resident M.D.")."""
    joined = cursor + 1 < len(tokens) and is_initial(tokens, cursor + 1) and tokens[cursor].end() == tokens[cursor + 1].start()
    return mixed and not found and tokens[cursor].group()[0].isupper() and not joined


def _initials_series(tokens, lowered, index) -> list[tuple[int, int]]:
    """People named by joined initials, and those joined to them by "and": "officers K.M. and P.S."."""
    spans = []
    while count := joined_initials(tokens, index):
        spans.append((tokens[index].start(), tokens[index + count - 1].end()))
        index += count
        if not (index + 1 < len(tokens) and lowered[index] == "and"):
            break
        index += 1
    return spans
