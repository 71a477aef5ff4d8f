import io
import json

import deid.__main__ as cli


def test_evaluate_prints_json_scores(engine, tmp_path, monkeypatch, capsys):
    gold = tmp_path / "gold.jsonl"
    text = "Dr. Marder aware on 3/14/2021."
    gold.write_text(json.dumps({"id": "1", "patient_id": "p", "text": text,
                                "phi": [{"start": 4, "end": 10, "type": "HCPName"},
                                        {"start": 20, "end": 29, "type": "Date"}]}) + "\n")
    monkeypatch.setattr(cli, "DeidEngine", lambda: engine)
    assert cli.main(["evaluate", str(gold), "--json", "--misses", "5"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["recall"] == 1.0 and summary["notes"] == 1
    assert {"precision", "f2", "notes_per_second", "per_type"} <= set(summary)
    assert summary["per_type"]["Date"]["recall"] == 1.0


def test_redact_reads_stdin(engine, monkeypatch, capsys):
    monkeypatch.setattr(cli, "DeidEngine", lambda: engine)
    monkeypatch.setattr("sys.stdin", io.StringIO("Email jdoe@example.org now."))
    assert cli.main(["redact", "-"]) == 0
    assert capsys.readouterr().out == "Email [EMAIL] now."


def test_train_reads_every_gold_file_however_the_flag_is_written(monkeypatch):
    """"--gold A --gold B" once kept only B, and a tagger trained so lost PhysioNet's precision."""
    read = []
    monkeypatch.setattr(cli, "gold_sources", lambda paths, keep: read.append(list(paths)) or [])
    monkeypatch.setattr(cli, "train", lambda *args, **kwargs: {
        "weight_hash": "", "data_fingerprint": "", "metrics": {}, "corpora": []})
    for argv in (["--gold", "a.jsonl", "b.json"], ["--gold", "a.jsonl", "--gold", "b.json"]):
        assert cli.main(["train", "--out", "unused", *argv]) == 0
    assert read == [["a.jsonl", "b.json"], ["a.jsonl", "b.json"]]
