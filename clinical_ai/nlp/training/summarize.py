"""LoRA fine-tuning of the causal LM summarizer with the fixed prompt template, and its ROUGE
against the zero-shot base model and a lead-sentences baseline on the same validation split.

Only the adapter is saved (a few MB); the registry loads it over its base version.
Training sources are cut to ``max_source_tokens`` to bound CPU time (a recorded
hyperparameter); evaluation summarizes whole notes exactly as inference does.
"""
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

from clinical_ai.nlp import metrics
from clinical_ai.nlp.summarizer import Summarizer, load_tokenizer, prompt
from clinical_ai.nlp.training.common import Progress, optimizer_and_schedule, seed_everything


@dataclass(frozen=True)
class SummarizerSettings:
    seed: int = 13
    steps: int = 120
    batch_size: int = 4
    learning_rate: float = 5e-4
    lora_rank: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.05
    max_source_tokens: int = 256
    max_target_tokens: int = 64
    max_new_tokens: int = 64


def train(train_set, validation_set, base_folder: Path, target: Path, settings: SummarizerSettings, write) -> dict:
    seed_everything(settings.seed)
    tokenizer = load_tokenizer(base_folder)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(base_folder, dtype=torch.float32), LoraConfig(
        r=settings.lora_rank, lora_alpha=settings.lora_alpha, lora_dropout=settings.lora_dropout,
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj"], task_type="CAUSAL_LM"))
    _fit(model, tokenizer, [_encode(tokenizer, example, settings) for example in train_set], settings, write)
    model.save_pretrained(target)
    references = [example.target for example in validation_set]
    sources = [example.text for example in validation_set]
    write(f"scoring on {len(sources)} validation notes: fine-tuned, zero-shot base, lead")
    tuned = Summarizer(tokenizer, model.merge_and_unload(), max_new_tokens=settings.max_new_tokens)
    base = Summarizer.from_folder(base_folder, max_new_tokens=settings.max_new_tokens)
    return {
        "hyperparameters": asdict(settings) | {"method": "LoRA", "target_modules": "q,k,v,o"},
        "metrics": {
            "validation": metrics.rouge(references, tuned.summarize(sources)),
            "zero_shot_base": metrics.rouge(references, base.summarize(sources)),
            "lead_baseline": metrics.rouge(references, [metrics.lead_sentences(text) for text in sources]),
        },
    }


def _encode(tokenizer, example, settings: SummarizerSettings) -> tuple[list[int], list[int]]:
    """Prompt then target token ids; the loss is taken on the target only."""
    source_ids = tokenizer(example.text, add_special_tokens=False)["input_ids"][:settings.max_source_tokens]
    prompt_ids = tokenizer(prompt(tokenizer, tokenizer.decode(source_ids)), add_special_tokens=False)["input_ids"]
    target_ids = tokenizer(example.target, add_special_tokens=False)["input_ids"][:settings.max_target_tokens]
    target_ids = target_ids + [tokenizer.eos_token_id]
    return prompt_ids + target_ids, [-100] * len(prompt_ids) + target_ids


def _fit(model, tokenizer, encoded, settings: SummarizerSettings, write) -> None:
    write(f"LoRA on {len(encoded)} notes, {settings.steps} steps of {settings.batch_size}")
    optimizer, schedule = optimizer_and_schedule(model.parameters(), settings.learning_rate, settings.steps)
    progress, generator = Progress(write, settings.steps), torch.Generator().manual_seed(settings.seed)
    order = []
    model.train()
    for step in range(1, settings.steps + 1):
        if len(order) < settings.batch_size:  # a new pass over the data in a new seeded order
            order += torch.randperm(len(encoded), generator=generator).tolist()
        rows, order = order[:settings.batch_size], order[settings.batch_size:]
        loss = model(**_collate([encoded[row] for row in rows], tokenizer.pad_token_id)).loss
        loss.backward()
        optimizer.step(), schedule.step(), optimizer.zero_grad()
        progress.step(step, loss.item())
    model.eval()


def _collate(items, pad_id: int) -> dict:
    width = max(len(ids) for ids, _ in items)
    pad = [width - len(ids) for ids, _ in items]
    return {
        "input_ids": torch.tensor([ids + [pad_id] * n for (ids, _), n in zip(items, pad)]),
        "attention_mask": torch.tensor([[1] * len(ids) + [0] * n for (ids, _), n in zip(items, pad)]),
        "labels": torch.tensor([labels + [-100] * n for (_, labels), n in zip(items, pad)]),
    }
