import json

import deid.__main__ as cli
from deid.evaluate import Scores, paired_difference, read_gold, select, split_part
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


def _scores(found_every: int, notes: int = 200) -> Scores:
    """notes of two names each; the second found in every found_every-th note only (0: never)."""
    scores = Scores()
    for i in range(notes):
        phi = [{"start": 4, "end": 10, "type": "NAME"}, {"start": 15, "end": 22, "type": "NAME"}]
        second = found_every and i % found_every == 0
        scores.add({"id": str(i), "text": "Dr. Marder saw Ann Lee", "phi": phi},
                   (Span(4, 10, "NAME"),) + ((Span(15, 22, "NAME"),) if second else ()))
    return scores


def test_a_paired_difference_is_a_gain_only_when_its_interval_is_above_zero():
    never, every_other = _scores(0), _scores(2)
    gain = paired_difference(never, every_other)["recall"]  # "Ann Lee" is 2 of a note's 3 name tokens
    assert gain["difference"] == 0.3333 and 0 < gain["ci95"][0] <= 0.3333 <= gain["ci95"][1]
    same = paired_difference(every_other, _scores(2))["NAME"]
    assert same == {"difference": 0.0, "ci95": [0.0, 0.0]}
    # resampled together, the interval of a small change is narrower than the two intervals apart
    one_in_three = _scores(3)
    change = paired_difference(one_in_three, every_other)["recall"]["ci95"]
    apart = every_other.intervals()["recall"][1] - one_in_three.intervals()["recall"][0]
    assert change[0] > 0 and change[1] - change[0] < apart


def _gold_file(tmp_path, notes: int):
    """(path, lines): notes of one patient each, one clinician's name in each."""
    lines = [{"id": str(i), "patient_id": f"p{i}", "text": "Seen by Dr. Marder today.",
              "phi": [{"start": 12, "end": 18, "type": "HCPName"}]} for i in range(notes)]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return gold, lines


def test_evaluate_scores_one_split_and_keeps_check_misses_closed(engine, tmp_path, monkeypatch, capsys):
    gold, lines = _gold_file(tmp_path, 40)
    monkeypatch.setattr(cli, "DeidEngine", lambda: engine)
    assert cli.main(["evaluate", str(gold), "--split", "tune", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["notes"] == len(select(lines, "tune")) < 40
    assert summary["recall_ci95"] == [1.0, 1.0]
    assert cli.main(["evaluate", str(gold), "--split", "check", "--misses", "3"]) == 2
    assert "MISS" not in capsys.readouterr().out


def test_evaluate_against_the_rules_alone_prints_the_paired_difference(engine, tmp_path, monkeypatch, capsys):
    gold, _ = _gold_file(tmp_path, 20)
    monkeypatch.setattr(cli, "DeidEngine", lambda: engine)
    monkeypatch.setattr(engine, "tagger", engine.tagger)  # --against swaps it: restored after the test
    assert cli.main(["evaluate", str(gold), "--against", "rules", "--json"]) == 0
    against = json.loads(capsys.readouterr().out)["against"]
    assert against["engine"] == "rules"
    assert against["difference"]["recall"] == {"difference": 0.0, "ci95": [0.0, 0.0]}
    assert cli.main(["evaluate", str(gold), "--against", "rules"]) == 0
    assert "this engine minus rules" in capsys.readouterr().out
    assert cli.main(["evaluate", str(gold), "--against", str(tmp_path)]) == 2  # a folder with no tagger in it
