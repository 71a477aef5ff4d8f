"""The learned tagger: rebuildable synthetic data, deterministic training with a card,
tune splits only, and its spans joining the rules' spans."""
import json

import pytest

from deid import DeidEngine
from deid.evaluate import select
from deid.results import Span
from deid.tagger.folder import weight_hash
from deid.tagger.labels import label_for
from deid.tagger.model import load_tagger
from deid.tagger.synthetic import NoteGenerator
from deid.tagger.train import gold_sources, train, training_records

TEST_KEY = bytes(range(32))


def test_generator_is_deterministic_and_its_spans_are_phi_values():
    first, again = list(NoteGenerator(3).generate(40)), list(NoteGenerator(3).generate(40))
    assert first == again
    assert first != list(NoteGenerator(4).generate(40))
    spans = [(n["text"][p["start"]:p["end"]], p["type"]) for n in first for p in n["phi"]]
    assert {kind for _, kind in spans} >= {"NAME", "DATE", "PHONE", "LOCATION"}
    assert all(value.strip() == value and value for value, _ in spans)


def test_generator_writes_every_style_and_non_ascii_names():
    notes = list(NoteGenerator(0).generate(300))
    texts = [n["text"] for n in notes]
    assert any(t.isupper() for t in texts) and any(t.islower() for t in texts)
    assert any(t != t.upper() and t != t.lower() for t in texts)
    names = [n["text"][p["start"]:p["end"]] for n in notes for p in n["phi"] if p["type"] == "NAME"]
    assert any(not name.isascii() for name in names)


@pytest.mark.parametrize("gold_type, label", [
    ("HCPName", "NAME"), ("PERSON", "NAME"), ("GEOGRAPHIC_LOCATION", "LOCATION"), ("STREET_ADDRESS", "LOCATION"),
    ("DateYear", "DATE"), ("EMAIL_ADDRESS", "EMAIL"), ("FAX_NUMBER", "PHONE"), ("IP_ADDRESS", "ID"),
    ("MEDICAL_RECORD_NUMBER", "ID"), ("US_SSN", "ID"), ("Age", "AGE"),
])
def test_gold_types_map_to_tagger_labels(gold_type, label):
    assert label_for(gold_type) == label


def _gold(tmp_path, name="physionet_dev.jsonl"):
    lines = [{"id": f"n{i}", "patient_id": f"p{i}", "text": f"Seen by Dr. Qarvex on 3/{i % 28 + 1}/2021.",
              "phi": [{"start": 12, "end": 18, "type": "HCPName"}]} for i in range(30)]
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return path, lines


def test_training_reads_only_the_tune_split_of_gold(tmp_path):
    path, lines = _gold(tmp_path)
    records, corpora = training_records(gold_sources([str(path)]), seed=0, synthetic_notes=5)
    tune_ids = {r["id"] for r in select(lines, "tune")}
    assert {r["id"] for r in records if not r["id"].startswith("synthetic")} == tune_ids
    assert corpora[1]["licence"] == "GPL-2.0" and corpora[1]["notes"] == len(tune_ids)
    assert corpora[0]["licence"] == "MIT"


def test_each_gold_record_is_trained_on_once_more_with_surrogates(tmp_path):
    path, _ = _gold(tmp_path)
    kept = gold_sources([str(path)], keep_values=True)
    records, corpora = training_records(kept, seed=0, synthetic_notes=0)
    tune = kept[0]["records"]
    assert len(records) == 2 * len(tune) and corpora[1]["surrogate_copies"] == 1
    as_written, copies = records[:len(tune)], records[len(tune):]
    assert all("Qarvex" in r["text"] for r in as_written)
    assert not any("Qarvex" in r["text"] for r in copies)
    for copy in copies:  # the surrogate is where the span says, and the rest of the note is unchanged
        span = copy["phi"][0]
        assert copy["text"].startswith("Seen by Dr. ") and copy["text"][span["start"]:span["end"]].strip()


def test_training_is_deterministic_and_writes_a_card(tmp_path):
    path, _ = _gold(tmp_path, "hospital_notes.jsonl")
    cards = [train(tmp_path / name, gold_sources([str(path)]), seed=1, synthetic_notes=30, epochs=1, progress=False)
             for name in ("a", "b")]
    assert cards[0]["weight_hash"] == cards[1]["weight_hash"] == weight_hash(tmp_path / "a" / "model")
    assert cards[0]["data_fingerprint"] == cards[1]["data_fingerprint"]
    assert [c["licence"] for c in cards[0]["corpora"]] == ["MIT", "the institution's own: given by path"]
    assert 0 <= cards[0]["metrics"]["held_out_synthetic"]["recall"] <= 1
    tagger = load_tagger(tmp_path / "a")
    assert tagger is not None and "Qarvex" not in repr(tagger)
    assert isinstance(tagger.find(["Seen by Dr. Qarvex."])[0], list)


def test_gold_values_are_replaced_by_surrogates_of_their_kind_before_training():
    record = {"id": "n1", "text": "Seen by Dr. Marder on 3/4/2021, call 617-555-0101. MARDER AWARE.",
              "phi": [{"start": 12, "end": 18, "type": "NAME"}, {"start": 22, "end": 30, "type": "DATE"},
                      {"start": 37, "end": 49, "type": "PHONE"}, {"start": 51, "end": 57, "type": "NAME"}]}
    swapped = NoteGenerator(0).with_surrogates(record)
    values = [swapped["text"][p["start"]:p["end"]] for p in swapped["phi"]]
    assert "Marder" not in swapped["text"] and "MARDER" not in swapped["text"] and "3/4/2021" not in swapped["text"]
    assert swapped["text"].startswith("Seen by Dr. ") and swapped["text"].endswith(" AWARE.")
    assert [p["type"] for p in swapped["phi"]] == ["NAME", "DATE", "PHONE", "NAME"]
    assert values[3] == values[3].upper() and sum(c.isdigit() for c in values[2]) >= 7
    assert swapped["text"][swapped["phi"][0]["end"]:swapped["phi"][1]["start"]] == " on "


def test_no_gold_value_reaches_the_saved_tagger_and_training_goes_on_from_a_base(tmp_path):
    path, _ = _gold(tmp_path, "hospital_notes.jsonl")
    train(tmp_path / "base", [], seed=1, synthetic_notes=20, epochs=1, progress=False)
    card = train(tmp_path / "next", gold_sources([str(path)]), seed=1, synthetic_notes=20, epochs=1,
                 base=tmp_path / "base", progress=False)
    assert card["base"] == json.loads((tmp_path / "base" / "card.json").read_text())["weight_hash"]
    saved = b"".join(p.read_bytes() for p in (tmp_path / "next").rglob("*") if p.is_file())
    assert b"Qarvex" not in saved
    assert load_tagger(tmp_path / "next") is not None


def test_no_tagger_folder_means_rules_only(tmp_path, monkeypatch):
    monkeypatch.delenv("DEID_TAGGER_DIR", raising=False)
    assert load_tagger(None) is None
    assert load_tagger(tmp_path / "missing") is None


class _FixedTagger:
    """Stands in for a trained tagger: marks one fixed span, to show how spans combine."""

    def find(self, texts):
        return [[Span(0, 4, "NAME", 0.6)] for _ in texts]


def test_tagger_spans_join_the_rule_spans():
    engine = DeidEngine(key=TEST_KEY)
    engine.tagger = _FixedTagger()
    text = "Zyxq called 617-555-0101 today."
    result = engine.deidentify(text)
    assert result.text == "[NAME] called [PHONE] today."


def test_the_same_seed_gives_the_same_notes_in_every_process():
    """Faker builds some value lists from sets; string hashing differs per process (PYTHONHASHSEED)."""
    import os
    import subprocess
    import sys

    program = ("import hashlib, json; from deid.tagger.synthetic import NoteGenerator; "
               "print(hashlib.sha256(json.dumps(list(NoteGenerator(0).generate(300))).encode()).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True,
                              env=os.environ | {"PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(digests) == 1


def test_the_shipped_default_tagger_matches_its_card():
    from pathlib import Path

    import deid.tagger

    folder = Path(deid.tagger.__file__).parent / "default"
    card = json.loads((folder / "card.json").read_text())
    assert card["weight_hash"] == weight_hash(folder / "model")
    assert {c["licence"] for c in card["corpora"]} == {"MIT", "GPL-2.0"}
    assert all(c.get("part", "tune split only") == "tune split only" for c in card["corpora"][1:])
    spans = load_tagger(folder).find(["Pt seen by Dr. Oskentry Varnelle at Mercy Hospital on 3/4/2021."])[0]
    assert {s.entity_type for s in spans} >= {"NAME", "DATE"}


def test_the_tagger_leaves_mostly_upper_case_text_to_the_rules():
    """In telegraphic upper-case ICU notes case carries no signal: the tagger's proposals there cost
    precision on the PhysioNet tune part and gained no recall."""
    from pathlib import Path

    import deid.tagger

    tagger = load_tagger(Path(deid.tagger.__file__).parent / "default")
    assert tagger.find(["PT SEEN BY DR. OSKENTRY VARNELLE AT MERCY HOSPITAL ON 3/4/2021."]) == [[]]


def test_a_tagger_reads_the_installed_vectors_without_holding_them(tmp_path):
    from deid.tagger.vectors import VectorsMismatch, vectors_hash

    card = train(tmp_path / "t", [], seed=1, synthetic_notes=20, epochs=1, progress=False)
    assert card["static_vectors"]["sha256"] == vectors_hash()
    assert sum(p.stat().st_size for p in (tmp_path / "t").rglob("*") if p.is_file()) < 8_000_000
    assert load_tagger(tmp_path / "t").nlp.vocab.vectors.shape[0] > 10_000
    card["static_vectors"]["sha256"] = "0" * 64
    (tmp_path / "t" / "card.json").write_text(json.dumps(card))
    with pytest.raises(VectorsMismatch):
        load_tagger(tmp_path / "t")


@pytest.mark.parametrize("value, kind, kept", [
    ("Ludwig van Beethoven", "NAME", True),
    ("University of Qarvex Medical Center", "LOCATION", True),
    ("oral, bilat Qarvex insertion of NG", "LOCATION", False),
    ("Qarvex brth snds", "NAME", False),
])
def test_in_mixed_case_a_tagged_name_or_place_has_capitalised_words(value, kind, kept):
    from deid.tagger.model import confirmed

    assert confirmed(value, kind) is kept


@pytest.mark.parametrize("value, kept", [("Sgt", False), ("Mrs", False), ("Capt", False), ("Sgt Quispe", True)])
def test_a_tagged_title_or_rank_alone_names_nobody(value, kept):
    from deid.tagger.model import confirmed

    assert confirmed(value, "NAME") is kept


@pytest.mark.parametrize("value, kept", [
    ("jerzy", True), ("saulius", True), ("guðgeir", True),  # first names of Faker's other locales (first_names.txt)
    ("iabp", False), ("adjust epidural", False),
])
def test_in_lower_case_a_tagged_name_needs_a_listed_name(value, kept):
    from deid.tagger.model import confirmed

    assert confirmed(value, "NAME") is kept


@pytest.mark.parametrize("value, kind, kept", [
    ("(555) 123-4567 x89", "PHONE", True),
    ("+44 (0)20 7946 0958", "PHONE", True),
    ("617/555-1234", "PHONE", True),
    ("130-140/70-80", "PHONE", False),  # a blood pressure range
    ("+10 TV 700 40% WNL", "PHONE", False),  # ventilator settings
    ("Monday", "NAME", False),  # a weekday names no one
])
def test_a_tagged_phone_has_a_phone_shape_and_a_weekday_is_no_name(value, kind, kept):
    from deid.tagger.model import confirmed

    assert confirmed(value, kind) is kept


@pytest.mark.parametrize("text, tagged, kind, kept", [
    ("The farm near Ballymena, County Antrim, was sold.", "County Antrim, was", "LOCATION", "County Antrim"),
    ("Seen at Mount Sinai Hospital, New York, on Monday.", "Mount Sinai Hospital, New York, on", "LOCATION",
     "Mount Sinai Hospital, New York"),
    ("She studied at the University of Michigan.", "the University of Michigan", "LOCATION", "University of Michigan"),
    ("Ludwig van Beethoven wrote it.", "Ludwig van Beethoven", "NAME", "Ludwig van Beethoven"),
    ("His wife, Eva Nováková, lodged a complaint.", ", Eva Nováková", "NAME", "Eva Nováková"),
    ("Seen by Marie Munroe, PhD, LCSW, today.", "Marie Munroe, PhD", "NAME", "Marie Munroe"),
    ("Judge Whitaker QC presided.", "Judge Whitaker QC", "NAME", "Whitaker"),  # the title and the rank stay
    ("Brought in by Sergeant Okonkwo-Bello.", "Sergeant Okonkwo-Bello", "NAME", "Okonkwo-Bello"),
    ("Hi Priyanka, thanks for the scans.", "Hi Priyanka", "NAME", "Priyanka"),  # the greeting stays
    ("Call 555 0100 or", "555 0100 or", "PHONE", "555 0100 or"),  # only names and places are trimmed
])
def test_a_tagged_name_or_place_loses_the_function_words_at_its_edges(text, tagged, kind, kept):
    from deid.results import Span
    from deid.tagger.model import without_edge_function_words

    start = text.index(tagged)
    span = without_edge_function_words(text, Span(start, start + len(tagged), kind, 0.6))
    assert text[span.start:span.end] == kept
