"""Note classification with a sentence encoder: zero-shot against label descriptions, a trained head
over its frozen embeddings, or a fine-tuned sequence-classification model.

Texts longer than the encoder's window are read window by window and the windows are
averaged, so the end of a long note counts as much as its start; never truncated.
"""
import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

from clinical_ai.nlp import runtime
from clinical_ai.nlp.folders import HEAD_FILE, HEAD_LABELS_FILE, LABELS_FILE  # noqa: F401 - re-exported

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


class SentenceEncoder:
    """Mean-pooled sentence embeddings of whole texts: each window normalized, windows averaged."""

    def __init__(self, folder: Path, window_tokens: int = WINDOW_TOKENS, batch_size: int = 32):
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.model = AutoModel.from_pretrained(folder, dtype=runtime.dtype()).to(runtime.device()).eval()
        self.window_tokens = window_tokens
        self.batch_size = batch_size

    @torch.inference_mode()
    def embed(self, texts: list[str]) -> torch.Tensor:
        inputs, owners = windows(self.tokenizer, texts, self.window_tokens)
        pooled = [self._pool({key: value[start:start + self.batch_size].to(runtime.device())
                              for key, value in inputs.items()})
                  for start in range(0, len(owners), self.batch_size)]
        return torch.nn.functional.normalize(average_by_text(torch.cat(pooled), owners, len(texts)), dim=-1)

    def _pool(self, inputs: dict) -> torch.Tensor:
        hidden = self.model(**inputs).last_hidden_state.float()
        mask = inputs["attention_mask"].unsqueeze(-1).float()
        return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).cpu()


class ZeroShotEmbeddingClassifier:
    def __init__(self, folder: Path, window_tokens: int = WINDOW_TOKENS):
        self.encoder = SentenceEncoder(folder, window_tokens)
        descriptions = json.loads((folder / LABELS_FILE).read_text())
        self.labels = list(descriptions)
        self.label_embeddings = self.encoder.embed(list(descriptions.values()))

    def classify(self, texts: list[str]) -> list[tuple[str, float]]:
        probabilities = torch.softmax(self.encoder.embed(texts) @ self.label_embeddings.T / TEMPERATURE, dim=1)
        return _best(probabilities, self.labels)


class EmbeddingHeadClassifier:
    """A trained linear head over frozen sentence embeddings, saved beside the encoder's files."""

    def __init__(self, folder: Path, window_tokens: int = WINDOW_TOKENS):
        self.encoder = SentenceEncoder(folder, window_tokens)
        head = load_file(folder / HEAD_FILE)
        self.weight, self.bias = head["weight"], head["bias"]
        self.labels = json.loads((folder / HEAD_LABELS_FILE).read_text())

    def classify(self, texts: list[str]) -> list[tuple[str, float]]:
        return _best(torch.softmax(self.encoder.embed(texts) @ self.weight.T + self.bias, dim=1), self.labels)

    @staticmethod
    def save_head(folder: Path, weight, bias, labels: list[str]) -> None:
        save_file({"weight": torch.as_tensor(weight, dtype=torch.float32).contiguous(),
                   "bias": torch.as_tensor(bias, dtype=torch.float32).contiguous()}, folder / HEAD_FILE)
        (folder / HEAD_LABELS_FILE).write_text(json.dumps(labels))


def _best(probabilities: torch.Tensor, labels: list[str]) -> list[tuple[str, float]]:
    scores, best = probabilities.max(dim=1)
    return [(labels[int(i)], round(float(score), 4)) for score, i in zip(scores, best)]


class SequenceClassifier:
    """A fine-tuned sequence-classification model; label names come from its config."""

    def __init__(self, folder: Path, window_tokens: int = WINDOW_TOKENS, batch_size: int = 32):
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.model = AutoModelForSequenceClassification.from_pretrained(folder, dtype=runtime.dtype())
        self.model.to(runtime.device()).eval()
        self.window_tokens = window_tokens
        self.batch_size = batch_size

    def classify(self, texts: list[str]) -> list[tuple[str, float]]:
        labels = [self.model.config.id2label[i] for i in range(self.model.config.num_labels)]
        return _best(self.probabilities(texts), labels)

    @torch.inference_mode()
    def probabilities(self, texts: list[str]) -> torch.Tensor:
        inputs, owners = windows(self.tokenizer, texts, self.window_tokens)
        window_probabilities = torch.cat([
            torch.softmax(self.model(**{key: value[start:start + self.batch_size].to(runtime.device())
                                        for key, value in inputs.items()}).logits.float(), dim=-1).cpu()
            for start in range(0, len(owners), self.batch_size)
        ])
        return average_by_text(window_probabilities, owners, len(texts))
