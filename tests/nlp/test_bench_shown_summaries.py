"""bench/shown_summaries.py over stored documents: loops, unfinished summaries, numbers missing from the note,
marked sentences and fallbacks are counted over finished documents only."""
import pytest

from clinical_ai.documents.models import Document
from tests.benches import load_bench

pytestmark = pytest.mark.django_db


def _document(status=Document.Status.DONE, **fields) -> Document:
    return Document.objects.create(original_text="a note", deidentified_text="BP 120/80, pulse 72. Seen today.",
                                   status=status, **fields)


def test_shown_summaries_are_counted_over_finished_documents():
    loop = "Seen for pain and rest. " * 4
    _document(summary="BP 120/80 and pulse 90.", summary_kind="abstractive",
              summary_sentences=[{"text": "BP 120/80 and pulse 90.", "supported": True, "evidence": []},
                                 {"text": "Given 5 mg.", "supported": False, "evidence": []}])
    _document(summary=loop, summary_kind="abstractive")
    _document(summary="Seen today", summary_kind="extractive")
    _document(status=Document.Status.QUEUED, summary="Given 40 mg of prednisone.", summary_kind="abstractive")

    report = load_bench("shown_summaries").figures(Document.objects.all())

    assert report["documents"] == 3
    assert (report["loops"], report["unfinished"], report["extractive_fallback"]) == (1, 1, 1)
    assert (report["numbers_found"], report["numbers"]) == (1, 2)  # 120/80 is in the note, 90 is not
    assert (report["sentences"], report["sentences_supported"]) == (2, 1)
