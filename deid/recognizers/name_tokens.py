"""What the name recognizers share: their tokens, where a sentence starts, whether case
carries meaning, and whether a word can be a name in a name-bearing position."""
from __future__ import annotations

import functools
import re

from presidio_analyzer import RecognizerResult

from deid import entities
from deid.letters import APOSTROPHES, LETTER
from deid.nlp import UPPER_CASE_SHARE, letter_counts
from deid.recognizers.base import PreparedRecognizer
from deid.recognizers.lexicon import common_words, not_a_name, person_names, words

# a word with its trailing full stop ("Dr.", "L."), so that titles and initials are seen
TOKEN = re.compile(rf"{LETTER}(?:{LETTER}|[{APOSTROPHES}-])*\.?")
WORD = re.compile(rf"{LETTER}(?:{LETTER}|[{APOSTROPHES}-])+")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\n*#>-]|\s{2,})\s*$")
_GAP = re.compile(r"[ \t.,:;(]{0,4}")
_POSSESSIVE = re.compile(rf"[{APOSTROPHES}]s$", re.IGNORECASE)


class CueWordNameRecognizer(PreparedRecognizer):
    """Names read around each cue word (a credential, a notification verb, a title or role): a subclass
    says which token is a cue and which name spans stand beside it."""

    SCORE = 0.8

    def __init__(self):
        super().__init__(supported_entities=[entities.NAME], name=type(self).__name__)

    def analyze(self, text, entities=None, nlp_artifacts=None):
        tokens, lowered = tokens_of(text)
        mixed = mixed_case(text)
        spans = [span for index in range(len(tokens)) if self.is_cue(lowered, index)
                 for span in self.names_at(text, tokens, lowered, index, mixed)]
        return [RecognizerResult(self.supported_entities[0], start, end, self.SCORE) for start, end in spans]

    def is_cue(self, lowered, index) -> bool:
        raise NotImplementedError

    def names_at(self, text, tokens, lowered, index, mixed) -> list[tuple[int, int]]:
        raise NotImplementedError


@functools.lru_cache(maxsize=8)
def tokens_of(text: str) -> tuple[tuple[re.Match, ...], tuple[str, ...]]:
    """The tokens of text and their lower-case words, without a full stop or a possessive
    ending ("Amanda's" is "amanda"); cached, as every name recognizer reads them."""
    tokens = tuple(TOKEN.finditer(text))
    return tokens, tuple(bare(token.group()).lower() for token in tokens)


def bare(token: str) -> str:
    """A token without its full stop and possessive ending: "Amanda's" -> "Amanda"."""
    return _POSSESSIVE.sub("", token.rstrip("."))


def mixed_case(text: str) -> bool:
    letters, upper = letter_counts(text)
    return bool(letters) and 0.02 < upper / letters <= UPPER_CASE_SHARE


def sentence_initial(text: str, start: int) -> bool:
    return bool(_SENTENCE_END.search(text[max(0, start - 4):start]))


def near(text: str, tokens, first: int, second: int) -> bool:
    """Two tokens with at most a little punctuation between them."""
    return bool(_GAP.fullmatch(text[tokens[first].end():tokens[second].start()]))


def is_initial(tokens, index: int) -> bool:
    token = tokens[index].group()
    return len(token) == 2 and token[1] == "." and token[0].isalpha()


def joined_initials(tokens, index: int) -> int:
    """How many capital initials are written together from the token on ("K.M.", "J.D."): two or
    more, as reports and judgments name a person, or else 0. A credential ("M.D.", "R.N.") is none."""
    end = index
    while end < len(tokens) and is_initial(tokens, end) and tokens[end].group()[0].isupper() and (
            end == index or tokens[end - 1].end() == tokens[end].start()):
        end += 1
    letters = "".join(tokens[i].group()[0] for i in range(index, end)).lower()
    return end - index if end - index >= 2 and letters not in words("credentials") else 0


def ends_sentence(tokens, index: int) -> bool:
    return word_ends_sentence(tokens[index].group())


def word_ends_sentence(token: str) -> bool:
    """A word written with a full stop that is not an initial or a title ("TIME.", "HO.")."""
    return token.endswith(".") and len(token) > 2 and token[:-1].lower() not in words("name_titles")


def name_word(tokens, lowered, index: int, mixed: bool, titled: bool = False) -> bool:
    """Whether the word can be a name here. After a title ("Dr. Small") any word but a
    stop or clinical word can; after a role or credential, not a dictionary word."""
    token, word = tokens[index].group().rstrip("."), lowered[index]
    if len(word) < 2 or word in not_a_name() or not titled and word in common_words():
        return False
    if len(word) >= 5 and word.endswith(("ed", "ing")) and word not in person_names():
        return False
    return not mixed or (token[0].isupper() and not token.isupper()) or len(token) > 1 and token.isupper()
