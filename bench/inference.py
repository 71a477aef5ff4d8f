"""Summarizer throughput: documents/s and generated tokens/s, one document at a time vs batched.

    python bench/inference.py --data ../shared/data/nlp/mtsamples_dev.csv [--docs 16 --batch-size 8]

Uses the same ``Summarizer`` as the inference worker (greedy, left-padded batches). Each
document is cut to ``--prompt-tokens`` so every run does the same work; generated tokens are
counted by re-tokenizing the outputs. Also reports whether batched outputs equal single ones.
"""
import argparse
import csv
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402

from clinical_ai.nlp.summarizer import Summarizer  # noqa: E402

csv.field_size_limit(1 << 24)


def documents(path: Path, column: str, count: int) -> list[str]:
    with open(path, newline="", encoding="utf-8") as handle:
        texts = list(dict.fromkeys(row[column] for row in csv.DictReader(handle) if row[column].strip()))
    return texts[:count]


def run(summarizer: Summarizer, texts: list[str], batch_size: int) -> tuple[list[str], float]:
    summarizer.batch_size = batch_size
    started = time.perf_counter()
    outputs = summarizer.summarize(texts)
    return outputs, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=ROOT / "var/models/smollm2-135m-instruct/1")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--column", default="transcription")
    parser.add_argument("--docs", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--prompt-tokens", type=int, default=512)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    args = parser.parse_args()

    summarizer = Summarizer.from_folder(args.model, max_new_tokens=args.max_new_tokens)
    tokenizer = summarizer.tokenizer
    texts = [tokenizer.decode(tokenizer(text, add_special_tokens=False)["input_ids"][:args.prompt_tokens])
             for text in documents(args.data, args.column, args.docs)]
    print(f"{len(texts)} documents, <= {args.prompt_tokens} note tokens each, {args.max_new_tokens} new tokens max, "
          f"greedy, {summarizer.model.device} {summarizer.model.dtype}, torch threads {torch.get_num_threads()}")
    results = {}
    for label, batch_size in (("one at a time", 1), (f"batch {args.batch_size}", args.batch_size)):
        outputs, seconds = run(summarizer, texts, batch_size)
        tokens = sum(len(tokenizer(output, add_special_tokens=False)["input_ids"]) for output in outputs)
        results[label] = outputs
        print(f"{label:>14}: {len(texts) / seconds:6.2f} documents/s  {tokens / seconds:7.1f} generated tokens/s  "
              f"({seconds:.1f} s, {tokens} tokens)")
    single, batched = results.values()
    same = sum(a == b for a, b in zip(single, batched))
    print(f"batched outputs identical to one-at-a-time: {same}/{len(texts)}")


if __name__ == "__main__":
    main()
