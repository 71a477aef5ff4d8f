"""What an appliance has shown as summaries, read from its own database: loops, unfinished last sentences,
numbers found in the note, summary sentences supported or marked, and extractive fallbacks.

    python bench/shown_summaries.py [--batch ID]   # in the appliance's checkout, with its settings

The check of a default install on real notes: `make run`, import a set of notes (`manage.py import_fhir
FOLDER` prints its batch), wait until they are done, then run this. The figures are those
bench/summaries.py reports for the shown summaries of held-out MTSamples notes (``shown_quality``), here
for every finished document (of one batch), and printed as JSON with the summarizer versions that made them.
"""
import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def figures(documents) -> dict:
    """Shown-summary figures over finished documents (Document rows)."""
    from summaries import shown_quality

    documents = [d for d in documents if d.status == d.Status.DONE]
    sentences = [sentence for d in documents for sentence in d.summary_sentences]
    quality = shown_quality([d.deidentified_text for d in documents], [d.summary for d in documents],
                            [SimpleNamespace(kind=d.summary_kind) for d in documents])
    return {"documents": len(documents), **quality,
            "sentences": len(sentences), "sentences_supported": sum(bool(s.get("supported")) for s in sentences),
            "summarizers": dict(Counter(str(d.summarizer) for d in documents if d.summarizer))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", help="only the documents of this import batch")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinical_ai.settings")
    import django

    django.setup()
    from clinical_ai.documents.models import Document

    documents = Document.objects.select_related("summarizer")
    if args.batch:
        documents = documents.filter(batch=args.batch)
    print(json.dumps(figures(documents), indent=2))


if __name__ == "__main__":
    main()
