"""Notes per second: our engine vs plain Presidio on the same notes, same run.

    python bench/deid_throughput.py GOLD.jsonl [--limit N] [--workers 1 2]

Plain Presidio = AnalyzerEngine with default recognizers on the same offline
spaCy model (full pipeline), `analyze` per note. Ours = DeidEngine.deidentify_batch
(detection and replacement). Scaling runs our engine in worker processes, each
loading its own engine once (load time excluded).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deid.engine import DeidEngine  # noqa: E402
from deid.nlp import model_path  # noqa: E402

_worker_engine: DeidEngine | None = None


def plain_presidio_rate(texts: list[str]) -> float:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model_path()}],
    })
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine())
    analyzer.analyze(texts[0], language="en")
    started = time.perf_counter()
    for text in texts:
        analyzer.analyze(text, language="en")
    return len(texts) / (time.perf_counter() - started)


def our_rate(texts: list[str]) -> float:
    engine = DeidEngine()
    engine.deidentify(texts[0])
    started = time.perf_counter()
    engine.deidentify_batch(texts)
    return len(texts) / (time.perf_counter() - started)


def _init_worker() -> None:
    global _worker_engine
    _worker_engine = DeidEngine()
    _worker_engine.deidentify("warm up")


def _work(texts: list[str]) -> int:
    return len(_worker_engine.deidentify_batch(texts))


def scaled_rate(texts: list[str], workers: int, batch: int = 32) -> float:
    batches = [texts[i:i + batch] for i in range(0, len(texts), batch)]
    with multiprocessing.get_context("spawn").Pool(workers, initializer=_init_worker) as pool:
        pool.map(_work, [["warm up"]] * workers)
        started = time.perf_counter()
        done = sum(pool.map(_work, batches))
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("gold", help="JSONL with a 'text' field per line")
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    args = parser.parse_args()
    with open(args.gold, encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line in handle if line.strip()][: args.limit]
    plain = plain_presidio_rate(texts)
    ours = our_rate(texts)
    report = {
        "notes": len(texts),
        "plain_presidio_notes_per_second": round(plain, 2),
        "deid_notes_per_second": round(ours, 2),
        "speedup": round(ours / plain, 2),
        "scaling_notes_per_second": {str(w): round(scaled_rate(texts, w), 2) for w in args.workers},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
