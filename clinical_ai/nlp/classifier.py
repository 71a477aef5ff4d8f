"""Note classification with a sentence encoder: zero-shot against label descriptions, or fine-tuned.

Texts longer than the encoder's window are read window by window and the windows are
averaged, so the end of a long note counts as much as its start; never truncated.
"""
import json
from pathlib import Path

import torch
from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

from clinical_ai.nlp import runtime

LABELS_FILE = "zero_shot_labels.json"
# Cosine similarities of sentence embeddings sit in a narrow band; this sharpens them into a score.
TEMPERATURE = 0.05
WINDOW_TOKENS = 256


def windows(tokenizer, texts: list[str], window_tokens: int = WINDOW_TOKENS):
    """Consecutive windows of every text (overflowing tokens) and, per window, the index of its text."""
    batch = tokenizer(texts, truncation=True, max_length=window_tokens, return_overflowing_tokens=True,
                      padding=True, return_tensors="pt")
    return {key: batch[key] for key in ("input_ids", "attention_mask")}, batch["overflow_to_sample_mapping"]


def average_by_text(values: torch.Tensor, owners: torch.Tensor, count: int) -> torch.Tensor:
    totals = torch.zeros(count, values.shape[1], dtype=values.dtype).index_add_(0, owners, values)
    return totals / torch.bincount(owners, minlength=count).unsqueeze(1).to(values.dtype)


class ZeroShotEmbeddingClassifier:
    def __init__(self, folder: Path, window_tokens: int = WINDOW_TOKENS):
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.model = AutoModel.from_pretrained(folder, dtype=runtime.dtype()).to(runtime.device()).eval()
        self.window_tokens = window_tokens
        descriptions = json.loads((folder / LABELS_FILE).read_text())
        self.labels = list(descriptions)
        self.label_embeddings = torch.stack([self._embed(descriptions[label]) for label in self.labels])

    def classify(self, texts: list[str]) -> list[tuple[str, float]]:
        results = []
        for text in texts:
            similarity = self.label_embeddings @ self._embed(text)
            probabilities = torch.softmax(similarity / TEMPERATURE, dim=0)
            best = int(probabilities.argmax())
            results.append((self.labels[best], round(float(probabilities[best]), 4)))
        return results

    @torch.inference_mode()
    def _embed(self, text: str) -> torch.Tensor:
        inputs, _ = windows(self.tokenizer, [text], self.window_tokens)
        inputs = {key: value.to(runtime.device()) for key, value in inputs.items()}
        hidden = self.model(**inputs).last_hidden_state.float()
        mask = inputs["attention_mask"].unsqueeze(-1).float()
        window_embeddings = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
        return torch.nn.functional.normalize(window_embeddings.mean(0), dim=0)


class SequenceClassifier:
    """A fine-tuned sequence-classification model; label names come from its config."""

    def __init__(self, folder: Path, window_tokens: int = WINDOW_TOKENS, batch_size: int = 32):
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.model = AutoModelForSequenceClassification.from_pretrained(folder, dtype=runtime.dtype())
        self.model.to(runtime.device()).eval()
        self.window_tokens = window_tokens
        self.batch_size = batch_size

    def classify(self, texts: list[str]) -> list[tuple[str, float]]:
        probabilities = self.probabilities(texts)
        scores, best = probabilities.max(dim=1)
        return [(self.model.config.id2label[int(i)], round(float(s), 4)) for s, i in zip(scores, best)]

    @torch.inference_mode()
    def probabilities(self, texts: list[str]) -> torch.Tensor:
        inputs, owners = windows(self.tokenizer, texts, self.window_tokens)
        window_probabilities = torch.cat([
            torch.softmax(self.model(**{key: value[start:start + self.batch_size].to(runtime.device())
                                        for key, value in inputs.items()}).logits.float(), dim=-1).cpu()
            for start in range(0, len(owners), self.batch_size)
        ])
        return average_by_text(window_probabilities, owners, len(texts))
