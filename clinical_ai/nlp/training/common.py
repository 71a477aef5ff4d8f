"""What every training run shares: seeding, progress lines, mixed precision and the optimizer schedule."""
import contextlib
import random
import time

import numpy as np
import torch
from transformers import get_linear_schedule_with_warmup

from clinical_ai.nlp import runtime


def seed_everything(seed: int) -> None:
    """Same seed, same data order, same initial head, same weights out (on the same hardware)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    # Deterministic mode also fills every new tensor with NaN in case an op reads memory it never
    # wrote; none of ours does, and the fills were 7% of a CPU training step.
    torch.utils.deterministic.fill_uninitialized_memory = False


def autocast():
    """bf16 matrix products on the GPU, or on a CPU that has them natively (AVX512-BF16/AMX: 2-3x
    fp32), else fp32. Weights and optimizer state stay fp32; only the products are rounded."""
    if runtime.device().type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    if torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported():
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def on_device(batch: dict) -> dict:
    """A batch of tensors moved to where the model trains (runtime.device())."""
    return {key: value.to(runtime.device()) for key, value in batch.items()}


def optimizer_and_schedule(parameters, learning_rate: float, total_steps: int):
    optimizer = torch.optim.AdamW([p for p in parameters if p.requires_grad], lr=learning_rate, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(optimizer, max(1, total_steps // 10), total_steps)
    return optimizer, schedule


class Progress:
    """Log lines every few steps: step, loss, elapsed time. Never any training text."""

    def __init__(self, write, total_steps: int, every: int = 10):
        self.write, self.total, self.every = write, total_steps, every
        self.started, self.losses = time.monotonic(), []

    def step(self, number: int, loss: float) -> None:
        self.losses.append(loss)
        if number % self.every == 0 or number == self.total:
            recent = self.losses[-self.every:]
            self.write(f"step {number}/{self.total} loss {sum(recent) / len(recent):.4f} "
                       f"elapsed {time.monotonic() - self.started:.0f}s")
