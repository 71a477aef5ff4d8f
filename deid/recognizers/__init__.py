"""The recognizer registry: small single-purpose recognizers, rules kept as data.

Pattern recognizers are declared in data/patterns.yaml (Presidio's YAML
format) and word lists in data/*.txt, so a rule can be added, tuned or switched
off without touching code. Patient-specific values are found by
PatientContextRecognizer, added per document.
"""
from __future__ import annotations

from presidio_analyzer import RecognizerRegistry

from deid.nlp import SPACY_LABELS
from deid.recognizers.addresses import AddressRecognizer
from deid.recognizers.credentialed_names import CredentialedNameRecognizer
from deid.recognizers.cued_names import CuedNameRecognizer
from deid.recognizers.fields import LabelledNameRecognizer, SpeakerNameRecognizer
from deid.recognizers.iban import BankAccountRecognizer
from deid.recognizers.initials import InitialNameRecognizer, NameBeforeInitialRecognizer
from deid.recognizers.introduced_names import IntroducedNameRecognizer
from deid.recognizers.name_lines import NameLineRecognizer
from deid.recognizers.name_list import NameListRecognizer
from deid.recognizers.name_series import NameSeriesRecognizer
from deid.recognizers.ner_names import CaseAwareNerRecognizer
from deid.recognizers.notified_names import NotifiedNameRecognizer
from deid.recognizers.other_scripts import OtherScriptRecognizer
from deid.recognizers.patterns import load_pattern_recognizers
from deid.recognizers.places import PlaceRecognizer
from deid.recognizers.role_names import RoleNameRecognizer
from deid.recognizers.subject_names import SubjectNameRecognizer
from deid.recognizers.unknown_proper_nouns import UnknownProperNounRecognizer
from deid.recognizers.unknown_words import UnknownWordRecognizer
from deid.recognizers.unknown_words import enabled as unknown_word_net_enabled


def build_registry() -> RecognizerRegistry:
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.add_recognizer(CaseAwareNerRecognizer(SPACY_LABELS))
    registry.add_recognizer(NameListRecognizer())
    registry.add_recognizer(RoleNameRecognizer())
    registry.add_recognizer(CredentialedNameRecognizer())
    registry.add_recognizer(NotifiedNameRecognizer())
    registry.add_recognizer(IntroducedNameRecognizer())
    registry.add_recognizer(NameBeforeInitialRecognizer())
    registry.add_recognizer(CuedNameRecognizer())
    registry.add_recognizer(NameSeriesRecognizer())
    registry.add_recognizer(SubjectNameRecognizer())
    registry.add_recognizer(NameLineRecognizer())
    registry.add_recognizer(UnknownProperNounRecognizer())
    registry.add_recognizer(OtherScriptRecognizer())
    registry.add_recognizer(LabelledNameRecognizer())
    registry.add_recognizer(SpeakerNameRecognizer())
    registry.add_recognizer(InitialNameRecognizer())
    registry.add_recognizer(PlaceRecognizer())
    registry.add_recognizer(AddressRecognizer())
    registry.add_recognizer(BankAccountRecognizer())
    if unknown_word_net_enabled():
        registry.add_recognizer(UnknownWordRecognizer())
    for recognizer in load_pattern_recognizers():
        registry.add_recognizer(recognizer)
    return registry
