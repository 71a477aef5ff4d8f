"""bench/name_probe.py writes gold records whose spans are exactly the names it filled in."""
from deid.evaluate import read_gold
from tests.benches import load_bench

name_probe = load_bench("name_probe")


def test_probe_spans_cover_exactly_the_filled_names(tmp_path):
    records = list(name_probe.sentences(60, seed=3, locales=name_probe.LATIN_LOCALES + name_probe.OTHER_SCRIPT_LOCALES))
    assert len({record["text"] for record in records}) > 40
    for record in records:
        for span in record["phi"]:
            value = record["text"][span["start"]:span["end"]]
            assert value and value == value.strip() and "{" not in value
        assert "{" not in record["text"]


def test_probe_file_is_read_as_gold(tmp_path, monkeypatch):
    out = tmp_path / "probe.jsonl"
    monkeypatch.setattr("sys.argv", ["name_probe.py", str(out), "--sentences", "5", "--latin-only"])
    name_probe.main()
    records = read_gold(str(out))
    assert len(records) == 5 and all(record["phi"] for record in records)
