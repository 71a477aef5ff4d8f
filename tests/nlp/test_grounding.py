import pytest

from clinical_ai.nlp import defaults, grounding
from clinical_ai.nlp.classifier import SentenceEncoder
from clinical_ai.nlp.summarizer import degenerate

NOTE = (
    "CHIEF COMPLAINT: Chest pain.\n"
    "The patient is a 64-year-old man with chest pain radiating to the left arm for two hours. "
    "Troponin was 0.8 and the ECG showed ST elevation in the inferior leads. "
    "He was given aspirin 325 mg and taken for cardiac catheterization. "
    "He lives with his wife and walks daily."
)


@pytest.fixture(scope="module")
def embed():
    return SentenceEncoder(defaults.encoder_folder()).embed


def spans_text(sentence, note=NOTE):
    return [note[span[0]:span[1]] for span in sentence.evidence]


def test_sentence_spans_are_offsets_of_each_sentence_and_line():
    spans = grounding.sentence_spans(NOTE)
    assert NOTE[spans[0][0]:spans[0][1]] == "CHIEF COMPLAINT: Chest pain."
    assert NOTE[spans[2][0]:spans[2][1]] == "Troponin was 0.8 and the ECG showed ST elevation in the inferior leads."
    assert len(spans) == 5


def test_a_faithful_sentence_is_supported_with_its_evidence_in_the_note(embed):
    draft = "A 64-year-old man had chest pain radiating to the left arm. He received aspirin 325 mg."
    (summary,) = grounding.ground_summaries([NOTE], [draft], embed)
    assert summary.kind == "abstractive" and [s.supported for s in summary.sentences] == [True, True]
    assert any("radiating to the left arm" in text for text in spans_text(summary.sentences[0]))
    assert any("aspirin 325 mg" in text for text in spans_text(summary.sentences[1]))
    assert summary.text == draft


def test_numbers_doses_and_drugs_missing_from_the_note_make_a_sentence_unsupported_and_unshown(embed):
    draft = ("A 64-year-old man had chest pain radiating to the left arm. "
             "He received aspirin 650 mg. He was started on metoprolol for the chest pain.")
    (summary,) = grounding.ground_summaries([NOTE], [draft], embed)
    assert [s.supported for s in summary.sentences] == [True, False, False]
    assert summary.text == "A 64-year-old man had chest pain radiating to the left arm."
    assert grounding.unsupported_facts("He received aspirin 650 mg.", NOTE) == ["650"]
    assert grounding.unsupported_facts("Started on metoprolol.", NOTE) == ["metoprolol"]


def test_a_sentence_unrelated_to_the_note_is_unsupported(embed):
    draft = "Chest pain radiating to the left arm. The family enjoyed a long holiday by the sea."
    (summary,) = grounding.ground_summaries([NOTE], [draft], embed)
    assert [s.supported for s in summary.sentences] == [True, False]
    assert summary.sentences[1].evidence == ()


@pytest.mark.parametrize(("draft", "reason"), [
    ("chest pain, chest pain, chest pain, chest pain, chest pain, chest pain.", "loop"),
    ("", "empty"),
    ("Cardiac.", "too short"),  # a word of the note, but no summary of it
    ("The weather was pleasant and the garden was in bloom all summer long.", "unsupported"),
])
def test_a_failed_draft_is_replaced_by_the_notes_own_central_sentences_marked_extractive(embed, draft, reason):
    (summary,) = grounding.ground_summaries([NOTE], [draft], embed)
    assert (summary.kind, summary.fallback_reason) == ("extractive", reason)
    assert 1 <= len(summary.sentences) <= grounding.EXTRACTIVE_SENTENCES
    for sentence in summary.sentences:
        assert sentence.supported and spans_text(sentence) == [sentence.text]
    starts = [sentence.evidence[0][0] for sentence in summary.sentences]
    assert starts == sorted(starts)  # in note order
    assert "CHIEF COMPLAINT" not in summary.text  # a header is not an informative sentence


def test_each_note_in_a_batch_is_grounded_in_its_own_text(embed):
    other = "Fracture of the distal radius after a fall. A cast was applied."
    summaries = grounding.ground_summaries([NOTE, other], ["A cast was applied.", "A cast was applied."], embed)
    assert [s.kind for s in summaries] == ["extractive", "abstractive"]
    assert summaries[1].sentences[0].as_json() == {
        "text": "A cast was applied.", "supported": True,
        "evidence": [{"start": other.index("A cast"), "end": len(other)}]}


def test_the_extractive_fallback_prefers_full_sentences_that_do_not_loop_and_repeats_none(embed):
    note = ("- hemogram, automated, with rbc, wbc, hgb, hct, indices and platelet count\n"
            "Stress (finding), stress (finding), stress (finding), stress (finding).\n"
            "The patient was seen for chronic low back pain and neck pain today. "
            "The patient was seen for chronic low back pain and neck pain today. "
            "Ibuprofen 400 mg was prescribed for the back pain.")
    sentences = grounding.extractive(*_parts(note, embed))
    assert [s.text for s in sentences] == ["The patient was seen for chronic low back pain and neck pain today.",
                                           "Ibuprofen 400 mg was prescribed for the back pain."]


def test_the_extractive_fallbacks_sentences_do_not_loop_together(embed):
    note = ("Pain was noted on the left side of the neck. Swelling was noted on the left side of the neck. "
            "Weakness was noted on the left side of the neck. An anterior cervical discectomy is planned for next week.")
    texts = [s.text for s in grounding.extractive(*_parts(note, embed))]
    assert len(texts) == grounding.EXTRACTIVE_SENTENCES and not degenerate(" ".join(texts))  # each alone is fine


def test_the_extractive_fallback_takes_no_sentence_that_restates_one_it_holds(embed):
    note = ("Cervical spinal stenosis at C3-C4 and C4-C5 was seen on the MRI. "
            "Cervical spinal stenosis at C3-c4 and C4-C5 was seen on the MRI. "
            "The patient reports neck pain and numbness of both hands. An anterior cervical discectomy is planned.")
    texts = [s.text for s in grounding.extractive(*_parts(note, embed))]
    assert len(texts) == 3 and sum("Cervical spinal stenosis" in text for text in texts) == 1


def test_a_note_without_a_complete_sentence_has_no_extractive_summary(embed):
    (summary,) = grounding.ground_summaries(["CHIEF COMPLAINT:  ,"], [""], embed)
    assert (summary.kind, summary.sentences, summary.text) == ("extractive", (), "")


def _parts(note, embed):
    spans = grounding.sentence_spans(note)
    texts = [note[start:end] for start, end in spans]
    return spans, texts, embed(texts)


def test_a_draft_line_without_its_full_stop_is_not_shown_so_the_summary_ends_on_a_finished_sentence(embed):
    draft = "Chest pain radiating to the left arm.\n- aspirin 325 mg\nHe was taken for cardiac catheterization."
    (summary,) = grounding.ground_summaries([NOTE], [draft], embed)
    assert [s.supported for s in summary.sentences] == [True, False, True]
    assert summary.text == "Chest pain radiating to the left arm. He was taken for cardiac catheterization."
