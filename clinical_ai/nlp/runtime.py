"""Where and how models run: GPU in bf16 when there is one, CPU in fp32 otherwise."""
import functools

import torch


@functools.cache
def device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def dtype() -> torch.dtype:
    return torch.bfloat16 if device().type == "cuda" else torch.float32
