"""bench/inference.py's roofline: weights plus the batch's KV cache read once per decode step."""
import json
from types import SimpleNamespace

from tests.benches import load_bench


def test_roofline_counts_weights_once_and_kv_cache_per_sequence():
    bench = load_bench("inference")
    config = SimpleNamespace(**json.loads(bench.ARCHITECTURE.read_text()))
    parameters, context = 134_515_008, 576  # SmolLM2-135M; 512 prompt + half of 128 new tokens

    one, one_bytes = bench.roofline_tokens_per_second(config, parameters, 1, context, 2)
    many, many_bytes = bench.roofline_tokens_per_second(config, parameters, 128, context, 2)

    kv_per_sequence = 2 * 30 * 3 * 64 * context * 2  # K and V, layers, KV heads, head size, tokens, bf16
    assert one_bytes == parameters * 2 + kv_per_sequence
    assert many_bytes == parameters * 2 + 128 * kv_per_sequence
    assert round(one) == round(3e12 / one_bytes) and 100_000 < many < 300_000
