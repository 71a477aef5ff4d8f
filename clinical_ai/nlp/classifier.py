"""Note classification with a sentence encoder: zero-shot against label descriptions, a trained head
over its frozen embeddings (and, optionally, the note's TF-IDF n-grams), or a fine-tuned
sequence-classification model.

Texts longer than the encoder's window are read window by window and the windows are
averaged, so the end of a long note counts as much as its start; never truncated.

A head is plain tensors in one safetensors file: its weights, and for TF-IDF features each
analyzer's terms (UTF-8 JSON bytes) and inverse document frequencies. Loading a head runs no
pickle, and the version's weight hash covers every part of it.
"""
import json
from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import save_file
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
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
        # Windows of like length batched together, each batch cut to its longest: no work on padding.
        lengths = inputs["attention_mask"].sum(1)
        order = torch.argsort(lengths, stable=True)
        pooled = torch.zeros(len(owners), self.model.config.hidden_size)
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            width = int(lengths[rows].max()) if self.tokenizer.padding_side == "right" else None
            pooled[rows] = self._pool({key: value[rows, :width].to(runtime.device()) for key, value in inputs.items()})
        return torch.nn.functional.normalize(average_by_text(pooled, owners, len(texts)), dim=-1)

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


# The n-gram analyzers a head's TF-IDF features can use, as scikit-learn names them.
TFIDF_ANALYZERS = {"word": {"analyzer": "word", "ngram_range": (1, 2)},
                   "char": {"analyzer": "char_wb", "ngram_range": (2, 5)}}


class TfidfFeatures:
    """Sublinear TF-IDF vectors of a text per analyzer (word 1-2-grams, within-word character 2-5-grams),
    each L2-normalized, side by side and scaled so the whole vector has unit length.

    Only terms found in at least ``min_df`` training notes are kept (after de-identification):
    a term of one note never becomes part of a model.
    """

    def __init__(self, parts: list[tuple[str, list[str], np.ndarray]]):
        self.parts = parts  # (analyzer name, terms in column order, inverse document frequencies)
        self._counters = [CountVectorizer(vocabulary={term: i for i, term in enumerate(terms)},
                                          dtype=np.float64, **TFIDF_ANALYZERS[name])
                          for name, terms, _ in parts]

    @classmethod
    def fit(cls, texts: list[str], analyzers=("word", "char"), min_df: int = 2, max_features: int = 100_000):
        parts = []
        for name in analyzers:
            vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=min(min_df, len(texts)), max_features=max_features,
                                         **TFIDF_ANALYZERS[name]).fit(texts)
            terms = [term for term, _ in sorted(vectorizer.vocabulary_.items(), key=lambda item: item[1])]
            parts.append((name, terms, vectorizer.idf_.astype(np.float64)))
        return cls(parts)

    @property
    def size(self) -> int:
        return sum(len(terms) for _, terms, _ in self.parts)

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        blocks = []
        for counter, (_, _, idf) in zip(self._counters, self.parts):
            counts = counter.transform(texts).tocsr()
            np.log(counts.data, out=counts.data)
            counts.data += 1.0  # sublinear term frequency
            weighted = counts @ sparse.diags(idf)
            norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1))).ravel()
            blocks.append(sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ weighted)
        return (sparse.hstack(blocks, format="csr") / np.sqrt(len(blocks))).astype(np.float32)

    def tensors(self) -> tuple[dict, dict]:
        tensors = {}
        for i, (_, terms, idf) in enumerate(self.parts):
            tensors[f"tfidf_{i}_terms"] = torch.frombuffer(bytearray(json.dumps(terms).encode()), dtype=torch.uint8)
            tensors[f"tfidf_{i}_idf"] = torch.as_tensor(idf, dtype=torch.float64)
        return tensors, {"tfidf_analyzers": json.dumps([name for name, _, _ in self.parts])}

    @classmethod
    def from_tensors(cls, tensors: dict, metadata: dict):
        names = json.loads(metadata["tfidf_analyzers"])
        return cls([(name, json.loads(bytes(tensors[f"tfidf_{i}_terms"].numpy()).decode()),
                     tensors[f"tfidf_{i}_idf"].numpy()) for i, name in enumerate(names)])


class LinearHead:
    """Logits = embeddings @ weight.T + tfidf(text) @ tfidf_weight.T + bias; the TF-IDF term only where the
    head has one (heads trained before it, and those whose cross-validation chose embeddings alone, have none)."""

    def __init__(self, weight, bias, labels: list[str], tfidf: TfidfFeatures | None = None, tfidf_weight=None):
        self.weight = torch.as_tensor(weight, dtype=torch.float32)
        self.bias = torch.as_tensor(bias, dtype=torch.float32)
        self.labels, self.tfidf = list(labels), tfidf
        self.tfidf_weight = None if tfidf is None else np.asarray(tfidf_weight, dtype=np.float32)

    def logits(self, embeddings: torch.Tensor, texts: list[str]) -> torch.Tensor:
        logits = embeddings.float() @ self.weight.T + self.bias
        if self.tfidf is not None:
            logits = logits + torch.from_numpy(np.asarray(self.tfidf.transform(texts) @ self.tfidf_weight.T))
        return logits

    def save(self, folder: Path) -> None:
        tensors, metadata = {"weight": self.weight.contiguous(), "bias": self.bias.contiguous()}, {}
        if self.tfidf is not None:
            tensors["tfidf_weight"] = torch.from_numpy(self.tfidf_weight).contiguous()
            extra, metadata = self.tfidf.tensors()
            tensors |= extra
        save_file(tensors, folder / HEAD_FILE, metadata=metadata or None)
        (folder / HEAD_LABELS_FILE).write_text(json.dumps(self.labels))

    @classmethod
    def load(cls, folder: Path):
        with safe_open(folder / HEAD_FILE, framework="pt") as handle:
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}
            metadata = handle.metadata() or {}
        labels = json.loads((folder / HEAD_LABELS_FILE).read_text())
        tfidf = TfidfFeatures.from_tensors(tensors, metadata) if "tfidf_weight" in tensors else None
        return cls(tensors["weight"], tensors["bias"], labels, tfidf,
                   tensors["tfidf_weight"].numpy() if tfidf is not None else None)


class EmbeddingHeadClassifier:
    """A trained linear head over frozen sentence embeddings (and TF-IDF n-grams), saved beside the encoder's files."""

    def __init__(self, folder: Path, window_tokens: int = WINDOW_TOKENS):
        self.encoder = SentenceEncoder(folder, window_tokens)
        self.head = LinearHead.load(folder)
        self.labels = self.head.labels

    def probabilities(self, texts: list[str]) -> torch.Tensor:
        return torch.softmax(self.head.logits(self.encoder.embed(texts), texts), dim=1)

    def classify(self, texts: list[str]) -> list[tuple[str, float]]:
        return _best(self.probabilities(texts), self.labels)


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
