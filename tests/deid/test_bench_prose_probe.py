"""bench/prose_probe.py writes gold records whose spans are exactly the values it filled in."""
from deid.evaluate import read_gold
from tests.benches import load_bench

prose_probe = load_bench("prose_probe")


def test_probe_spans_cover_exactly_the_filled_names(tmp_path):
    records = list(prose_probe.sentences(60, seed=3, locales=prose_probe.LATIN_LOCALES + prose_probe.OTHER_SCRIPT_LOCALES))
    assert len({record["text"] for record in records}) > 40
    for record in records:
        for span in record["phi"]:
            value = record["text"][span["start"]:span["end"]]
            assert value and value == value.strip() and "{" not in value
        assert "{" not in record["text"]


def test_probe_file_is_read_as_gold(tmp_path, monkeypatch):
    out = tmp_path / "probe.jsonl"
    monkeypatch.setattr("sys.argv", ["prose_probe.py", str(out), "--sentences", "5", "--latin-only"])
    prose_probe.main()
    records = read_gold(str(out))
    assert len(records) == 5 and all(record["phi"] for record in records)


def test_record_probe_spans_are_the_filled_values_and_the_halves_share_no_template():
    tune, check = prose_probe.record_half("tune"), prose_probe.record_half("check")
    assert not set(tune) & set(check) and len(tune) + len(check) == len(prose_probe.RECORD_TEMPLATES)
    records = list(prose_probe.records(80, seed=5, half="check"))
    kinds = {span["type"] for record in records for span in record["phi"]}
    assert kinds == {"NAME", "LOCATION", "DATE", "ID"}
    for record in records:
        assert "{" not in record["text"]
        for span in record["phi"]:
            value = record["text"][span["start"]:span["end"]]
            assert value and value == value.strip() and value not in ("Mr", "Mrs", "Ms", "Dr", "Mr.", "Ms.")
