"""Summarizer throughput: documents/s and generated tokens/s, one document at a time vs batched.

    python bench/inference.py --data ../shared/data/nlp/mtsamples_dev.csv [--docs 16 --batch-size 8]
    python bench/inference.py --data ../shared/data/fhir/synthea_dev   # a FHIR folder: its notes, de-identified
    python bench/inference.py --random-weights [--docs 128 --batch-size 128 --prompt-tokens 512 --max-new-tokens 128]

Default mode: the installed model through the same ``Summarizer`` as the inference worker
(greedy, left-padded batches). Each document is cut to ``--prompt-tokens`` so every run does
the same work; generated tokens are counted by re-tokenizing the outputs.

``--random-weights``: SmolLM2-135M's architecture (bench/smollm2-135m-config.json, the
installed model's own config) with random weights, for GPU machines the weights cannot travel
to. Prompts are random token ids of exactly ``--prompt-tokens``; every document generates
exactly ``--max-new-tokens`` (min_new_tokens = max_new_tokens, greedy), so the work is fixed
and the speed is honest even though the text is noise. On CUDA it prints the memory-bandwidth
roofline beside the measured figure.

Default mode also grounds the batched drafts in their notes (``clinical_ai.nlp.grounding`` with the
``--encoder`` folder) and prints its cost beside generation's, how many drafts fell back to the
extractive summary and why, and, for the summaries as shown, loops, unfinished sentences and the
share of their numbers found in the note.

Both modes report whether batched outputs equal one-at-a-time outputs. ``--continuous`` adds
transformers' own continuous batching over the same prompts, checked against batched generate.
"""
import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402

csv.field_size_limit(1 << 24)

ARCHITECTURE = Path(__file__).parent / "smollm2-135m-config.json"
ASSUMED_BANDWIDTH = 3e12  # bytes/s: about an H100's HBM3


def documents(path: Path, column: str, count: int) -> list[str]:
    """Notes from a CSV column, or, for a folder, a FHIR NDJSON export's notes de-identified as the product does."""
    if path.is_dir():
        import deid
        from clinical_ai.interop.fhir_r4 import parse_ndjson_folder
        from clinical_ai.interop.results import InboundNote

        notes = [note for note in parse_ndjson_folder(path) if isinstance(note, InboundNote)][:count]
        return [deid.deidentify(note.text, note.patient).text for note in notes]
    with open(path, newline="", encoding="utf-8") as handle:
        texts = list(dict.fromkeys(row[column] for row in csv.DictReader(handle) if row[column].strip()))
    return texts[:count]


def roofline_tokens_per_second(config, parameters: int, batch: int, context: float, dtype_bytes: int,
                               bandwidth: float = ASSUMED_BANDWIDTH) -> tuple[float, int]:
    """Tokens/s if each decode step only had to read the weights once and the batch's KV cache once.

    Returns (tokens/s, bytes per step). ``context`` is the mean sequence length over the decode.
    """
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    kv_bytes = 2 * config.num_hidden_layers * config.num_key_value_heads * head_dim * context * batch * dtype_bytes
    step_bytes = int(parameters * dtype_bytes + kv_bytes)
    return batch * bandwidth / step_bytes, step_bytes


def bench_summarizer(args) -> None:
    from clinical_ai.nlp.summarizer import Summarizer

    summarizer = Summarizer.from_folder(args.model, max_new_tokens=args.max_new_tokens)
    tokenizer = summarizer.tokenizer
    texts = [tokenizer.decode(tokenizer(text, add_special_tokens=False)["input_ids"][:args.prompt_tokens])
             for text in documents(args.data, args.column, args.docs)]
    print(f"{len(texts)} documents, <= {args.prompt_tokens} note tokens each, {args.max_new_tokens} new tokens max, "
          f"greedy, {summarizer.model.device} {summarizer.model.dtype}, torch threads {torch.get_num_threads()}")
    results = {}
    for label, batch_size in (("one at a time", 1), (f"batch {args.batch_size}", args.batch_size)):
        summarizer.batch_size = batch_size
        started = time.perf_counter()
        outputs = summarizer.summarize(texts)
        seconds = time.perf_counter() - started
        tokens = sum(len(tokenizer(output, add_special_tokens=False)["input_ids"]) for output in outputs)
        results[label] = outputs
        print(f"{label:>14}: {len(texts) / seconds:6.2f} documents/s  {tokens / seconds:7.1f} generated tokens/s  "
              f"({seconds:.1f} s, {tokens} tokens)")
    single, batched = results.values()
    print(f"batched outputs identical to one-at-a-time: {sum(a == b for a, b in zip(single, batched))}/{len(texts)}")
    bench_grounding(args, texts, batched, seconds)


def bench_grounding(args, texts: list[str], drafts: list[str], generation_seconds: float) -> None:
    """What grounding costs next to batched generation, and what it does to the summaries shown."""
    import re
    from collections import Counter

    from clinical_ai.nlp import grounding
    from clinical_ai.nlp.classifier import SentenceEncoder
    from clinical_ai.nlp.summarizer import degenerate

    encoder = SentenceEncoder(args.encoder)
    encoder.embed(["warm-up"])
    started = time.perf_counter()
    summaries = grounding.ground_summaries(texts, drafts, encoder.embed)
    seconds = time.perf_counter() - started
    print(f"grounding: {seconds:.2f} s for {len(texts)} documents ({seconds / len(texts) * 1000:.0f} ms each), "
          f"{seconds / generation_seconds:.1%} of batched generation; with it {len(texts) / (seconds + generation_seconds):.2f}"
          f" documents/s")
    drafts_wrong = Counter(grounding.draft_failure(draft) or "ok" for draft in drafts)
    print(f"drafts: {dict(drafts_wrong)}; shown: {Counter(s.kind for s in summaries)}, "
          f"fallback reasons {dict(Counter(s.fallback_reason for s in summaries if s.fallback_reason))}")
    sentences = [sentence for summary in summaries if summary.kind == grounding.ABSTRACTIVE
                 for sentence in summary.sentences]
    print(f"abstractive sentences supported: {sum(s.supported for s in sentences)}/{len(sentences)} "
          f"(the unsupported are shown marked, not as summary text)")
    shown = [summary.text for summary in summaries]
    numbers = [(number, text) for summary, text in zip(shown, texts) for number in re.findall(r"\d+(?:[.,:/-]\d+)*", summary)]
    found = sum(not grounding.unsupported_facts(number, text) for number, text in numbers)
    print(f"shown summaries: loops {sum(degenerate(text) == 'loop' for text in shown)}, unfinished "
          f"{sum(degenerate(text) == 'unfinished' for text in shown)}, empty {sum(not text for text in shown)}, "
          f"numbers found in the note {found}/{len(numbers)}")


def bench_random_weights(args) -> None:
    from transformers import AutoConfig, AutoModelForCausalLM

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    config = AutoConfig.for_model(**json.loads(ARCHITECTURE.read_text()))
    torch.manual_seed(args.seed)
    model = AutoModelForCausalLM.from_config(config, dtype=dtype).to(device).eval()
    parameters = sum(p.numel() for p in model.parameters())
    generator = torch.Generator().manual_seed(args.seed)
    # Ids above the special tokens; the model never sees EOS in the prompt, and min_new_tokens forbids it after.
    prompts = torch.randint(16, config.vocab_size, (args.docs, args.prompt_tokens), generator=generator).to(device)
    new = args.max_new_tokens
    print(f"random-weight {config.model_type} ({parameters / 1e6:.1f} M parameters, SmolLM2-135M's architecture), "
          f"{args.docs} documents of {args.prompt_tokens} prompt tokens, exactly {new} new tokens, greedy, "
          f"{device} {dtype}, torch threads {torch.get_num_threads()}")

    def generate(batch: torch.Tensor) -> torch.Tensor:
        output = model.generate(input_ids=batch, attention_mask=torch.ones_like(batch), do_sample=False,
                                max_new_tokens=new, min_new_tokens=new, pad_token_id=config.pad_token_id)
        return output[:, batch.shape[1]:]

    with torch.inference_mode():
        generate(prompts[:1])  # warm-up: kernels, allocator
        runs = {}
        single_docs = min(args.docs, args.single_docs)
        for label, batch_size, rows in (("one at a time", 1, single_docs),
                                        (f"batch {args.batch_size}", args.batch_size, args.docs)):
            _sync(device)
            started = time.perf_counter()
            outputs = [generate(prompts[start:start + batch_size]) for start in range(0, rows, batch_size)]
            _sync(device)
            seconds = time.perf_counter() - started
            outputs = torch.cat(outputs)
            tokens = outputs.numel()
            assert outputs.shape[1] == new
            runs[label] = (outputs, batch_size, tokens / seconds)
            print(f"{label:>14}: {rows / seconds:8.2f} documents/s  {tokens / seconds:9.1f} generated tokens/s  "
                  f"({seconds:.2f} s, {rows} documents, {tokens} tokens)")
    if args.continuous:  # outside inference mode: its worker thread updates tensors in place
        runs["continuous"] = continuous_batching(model, prompts, new, device)
    (single, _, _), (batched, _, _) = list(runs.values())[:2]
    same = sum(bool(torch.equal(a, b)) for a, b in zip(single, batched[:len(single)]))
    print(f"batched outputs identical to one-at-a-time: {same}/{len(single)}")
    if args.continuous:
        same = sum(bool(torch.equal(a, b)) for a, b in zip(runs["continuous"][0], batched))
        print(f"continuous-batching outputs identical to batched generate: {same}/{len(batched)}")
    if device.type == "cuda":
        context = args.prompt_tokens + new / 2
        for label, (_, batch_size, measured) in runs.items():
            ceiling, step_bytes = roofline_tokens_per_second(config, parameters, batch_size, context,
                                                             torch.finfo(dtype).bits // 8)
            print(f"{label:>14}: roofline {ceiling:9.0f} tokens/s ({step_bytes / 1e6:.0f} MB per decode step at "
                  f"{ASSUMED_BANDWIDTH / 1e12:.0f} TB/s); measured {measured:.0f} = {measured / ceiling:.1%} of it")


def continuous_batching(model, prompts: torch.Tensor, new: int, device: torch.device):
    """The same documents through transformers' continuous batching (``generate_batch``: paged KV
    cache, CUDA graphs on a GPU), all queued at once; returns (outputs, batch size, tokens/s)."""
    from transformers import GenerationConfig

    config = GenerationConfig(do_sample=False, max_new_tokens=new, min_new_tokens=new,
                              pad_token_id=model.config.pad_token_id, eos_token_id=model.config.eos_token_id)
    rows = [row.tolist() for row in prompts]
    _sync(device)
    started = time.perf_counter()
    results = model.generate_batch(rows, generation_config=config)
    _sync(device)
    seconds = time.perf_counter() - started
    failed = [result.error for result in results.values() if result.error]
    if failed or len(results) != len(rows):
        raise RuntimeError(f"continuous batching failed: {failed[:1]}")
    outputs = torch.tensor([results[f"req_{index}"].generated_tokens[:new] for index in range(len(rows))])
    print(f"{'continuous':>14}: {len(rows) / seconds:8.2f} documents/s  {outputs.numel() / seconds:9.1f} generated "
          f"tokens/s  ({seconds:.2f} s, {len(rows)} documents, {outputs.numel()} tokens, warm-up included)")
    return outputs.to(prompts.device), len(rows), outputs.numel() / seconds


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=ROOT / "var/models/smollm2-135m-instruct/1")
    parser.add_argument("--encoder", type=Path, default=ROOT / "var/models/note-type-minilm-head/2",
                        help="sentence encoder folder that grounds the summaries")
    parser.add_argument("--data", type=Path, help="CSV of notes, or a FHIR NDJSON folder (not needed with --random-weights)")
    parser.add_argument("--column", default="transcription")
    parser.add_argument("--random-weights", action="store_true",
                        help="SmolLM2-135M's architecture, random init, fixed output length")
    parser.add_argument("--docs", type=int, default=16)
    parser.add_argument("--single-docs", type=int, default=8,
                        help="--random-weights: documents timed one at a time (at most --docs)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--prompt-tokens", type=int, default=512)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--continuous", action="store_true",
                        help="--random-weights: also run transformers' continuous batching (generate_batch)")
    args = parser.parse_args()
    if args.random_weights:
        bench_random_weights(args)
    elif args.data is None:
        parser.error("--data is required unless --random-weights")
    else:
        bench_summarizer(args)


if __name__ == "__main__":
    main()
