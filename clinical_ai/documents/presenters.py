"""What a reader is shown of a document: de-identified content only, never the original."""
from clinical_ai.documents.models import Document


def document_payload(document: Document) -> dict:
    done = document.status == Document.Status.DONE
    return {
        "id": str(document.id),
        "status": document.status,
        "created_at": document.created_at.isoformat(),
        "author": document.author or None,  # de-identified; the account that sent it is not shown here
        "deidentified_text": document.deidentified_text or None,
        "phi_counts": document.phi_counts,
        "phi_spans": document.phi_spans,
        "summary": document.summary if done else None,
        "summary_kind": document.summary_kind or None if done else None,
        "summary_sentences": document.summary_sentences if done else None,
        "classification": {"label": document.label, "score": document.label_score,
                           "label_source": document.label_source or None} if done else None,
        "models": {
            "deid_tagger": document.deid_tagger.ref if document.deid_tagger else None,
            "summarizer": document.summarizer.ref if document.summarizer else None,
            "classifier": document.classifier.ref if document.classifier else None,
        },
        "error": document.error or None,
    }


def highlighted_segments(document: Document) -> list[tuple[str, str | None]]:
    """The de-identified text cut into (text, PHI type or None) pieces for display."""
    text, segments, cursor = document.deidentified_text, [], 0
    for span in sorted(document.phi_spans, key=lambda s: s["start"]):
        if span["start"] > cursor:
            segments.append((text[cursor:span["start"]], None))
        segments.append((text[span["start"]:span["end"]], span["type"]))
        cursor = span["end"]
    segments.append((text[cursor:], None))
    return [segment for segment in segments if segment[0]]
