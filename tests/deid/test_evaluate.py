import json

import deid.__main__ as cli
from deid.evaluate import Scores, read_gold, select, split_part
from deid.results import Span


def _record(index, patient=None):
    return {"id": f"n{index}", "patient_id": patient, "text": "x", "phi": []}


def test_split_keeps_a_patients_notes_together_and_is_stable():
    records = [_record(i, patient=f"p{i % 40}") for i in range(400)]
    parts = {}
    for record in records:
        parts.setdefault(record["patient_id"], set()).add(split_part(record))
    assert all(len(found) == 1 for found in parts.values())
    assert 0.3 < len(select(records, "check")) / len(records) < 0.7
    assert [split_part(r) for r in records] == [split_part(dict(r)) for r in records]
    assert sorted(r["id"] for r in select(records, "tune") + select(records, "check")) == sorted(
        r["id"] for r in records)


def test_split_falls_back_to_the_note_id():
    records = [_record(i) for i in range(200)]
    assert {split_part(r) for r in records} == {"tune", "check"}


def test_reads_presidio_research_format_and_ignores_non_phi_types(tmp_path):
    text = "Jan Nováková works at Acme in Brno."
    path = tmp_path / "synth.json"
    path.write_text(json.dumps([{"full_text": text, "template_id": 7, "spans": [
        {"entity_type": "PERSON", "start_position": 0, "end_position": 11},
        {"entity_type": "ORGANIZATION", "start_position": 22, "end_position": 26},
        {"entity_type": "GPE", "start_position": 30, "end_position": 34}]}]))
    [record] = read_gold(str(path))
    assert record["patient_id"] == "template-7"
    assert [p["type"] for p in record["phi"]] == ["PERSON", "GPE"]
    scores = Scores()
    scores.add(record, (Span(0, 11, "NAME"), Span(22, 26, "ORGANIZATION")))
    # "Nováková" is one token; the organisation is neither gold nor a false positive
    assert (scores.gold, scores.predicted, scores.true_positive) == (3, 2, 2)
    assert scores.per_type["GPE"].recall == 0.0


def test_bootstrap_interval_brackets_the_point_estimate_and_narrows_with_more_notes():
    def scores_for(notes):
        scores = Scores()
        for i in range(notes):
            text = "Dr. Marder saw Ann Lee"
            phi = [{"start": 4, "end": 10, "type": "NAME"}, {"start": 15, "end": 22, "type": "NAME"}]
            spans = (Span(4, 10, "NAME"),) + ((Span(15, 22, "NAME"),) if i % 3 else ())
            scores.add({"id": str(i), "text": text, "phi": phi}, spans)
        return scores

    small, large = scores_for(30), scores_for(600)
    for scores in (small, large):
        low, high = scores.intervals()["recall"]
        assert low <= scores.recall <= high and low < high
    assert (large.intervals()["NAME"][1] - large.intervals()["NAME"][0]) < (
        small.intervals()["NAME"][1] - small.intervals()["NAME"][0])


def test_evaluate_scores_one_split_and_keeps_check_misses_closed(engine, tmp_path, monkeypatch, capsys):
    lines = [{"id": str(i), "patient_id": f"p{i}", "text": "Seen by Dr. Marder today.",
              "phi": [{"start": 12, "end": 18, "type": "HCPName"}]} for i in range(40)]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    monkeypatch.setattr(cli, "DeidEngine", lambda: engine)
    assert cli.main(["evaluate", str(gold), "--split", "tune", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["notes"] == len(select(lines, "tune")) < 40
    assert summary["recall_ci95"] == [1.0, 1.0]
    assert cli.main(["evaluate", str(gold), "--split", "check", "--misses", "3"]) == 2
    assert "MISS" not in capsys.readouterr().out
