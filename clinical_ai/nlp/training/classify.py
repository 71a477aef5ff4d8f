"""Fine-tune a sequence classifier on the sentence encoder, with two baselines on the same split.

Full fine-tuning (encoder and head) is the default: on MTSamples specialties it scored well
above a linear head on frozen embeddings (see the model card's numbers). Every window of a
note is a training example with the note's label, as at inference, where windows are averaged.
"""
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

from clinical_ai.nlp import metrics
from clinical_ai.nlp.classifier import SequenceClassifier, average_by_text, windows
from clinical_ai.nlp.training.common import Progress, optimizer_and_schedule, seed_everything


@dataclass(frozen=True)
class ClassifierSettings:
    seed: int = 13
    epochs: int = 4
    learning_rate: float = 1e-4
    batch_size: int = 16
    window_tokens: int = 256
    max_windows_per_note: int = 4  # bounds CPU time on long notes; inference still reads them all


def train(train_set, validation_set, encoder_folder: Path, target: Path, settings: ClassifierSettings, write) -> dict:
    """Fine-tune, save into ``target``, and return hyperparameters and metrics for the registry."""
    seed_everything(settings.seed)
    labels = sorted({example.target for example in train_set})
    _fine_tune(train_set, labels, encoder_folder, target, settings, write)
    truth = [example.target for example in validation_set]
    texts = [example.text for example in validation_set]
    predicted = [label for label, _ in SequenceClassifier(target, settings.window_tokens).classify(texts)]
    write("scoring the baselines on the same split")
    return {
        "hyperparameters": asdict(settings) | {"method": "full fine-tune", "labels": labels},
        "metrics": {
            "validation": metrics.classification(truth, predicted),
            "tfidf_logreg_baseline": metrics.classification(truth, tfidf_baseline(train_set, texts, settings.seed)),
            "frozen_encoder_head": metrics.classification(
                truth, frozen_head_baseline(train_set, texts, encoder_folder, settings)),
        },
    }


def tfidf_baseline(train_set, texts: list[str], seed: int) -> list[str]:
    model = make_pipeline(TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2),
                          LogisticRegression(max_iter=2000, C=10, random_state=seed))
    model.fit([example.text for example in train_set], [example.target for example in train_set])
    return list(model.predict(texts))


def frozen_head_baseline(train_set, texts: list[str], encoder_folder: Path, settings: ClassifierSettings) -> list[str]:
    """A linear head on frozen mean-pooled embeddings: the cheaper alternative to full fine-tuning."""
    tokenizer = AutoTokenizer.from_pretrained(encoder_folder)
    encoder = AutoModel.from_pretrained(encoder_folder).eval()
    head = LogisticRegression(max_iter=2000, C=10, random_state=settings.seed)
    head.fit(_embed(encoder, tokenizer, [e.text for e in train_set], settings), [e.target for e in train_set])
    return list(head.predict(_embed(encoder, tokenizer, texts, settings)))


@torch.inference_mode()
def _embed(encoder, tokenizer, texts: list[str], settings: ClassifierSettings):
    inputs, owners = windows(tokenizer, texts, settings.window_tokens)
    pooled = []
    for start in range(0, len(owners), 64):
        batch = {key: value[start:start + 64] for key, value in inputs.items()}
        mask = batch["attention_mask"].unsqueeze(-1).float()
        pooled.append((encoder(**batch).last_hidden_state * mask).sum(1) / mask.sum(1))
    return average_by_text(torch.cat(pooled), owners, len(texts)).numpy()


def _fine_tune(train_set, labels, encoder_folder: Path, target: Path, settings: ClassifierSettings, write) -> None:
    tokenizer = AutoTokenizer.from_pretrained(encoder_folder)
    model = AutoModelForSequenceClassification.from_pretrained(
        encoder_folder, num_labels=len(labels), id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)})
    inputs, window_labels = _training_windows(tokenizer, train_set, labels, settings)
    steps_per_epoch = -(-len(window_labels) // settings.batch_size)
    total = steps_per_epoch * settings.epochs
    write(f"fine-tuning on {len(train_set)} notes ({len(window_labels)} windows), {len(labels)} labels, "
          f"{total} steps")
    optimizer, schedule = optimizer_and_schedule(model.parameters(), settings.learning_rate, total)
    progress, generator = Progress(write, total), torch.Generator().manual_seed(settings.seed)
    model.train()
    for epoch in range(settings.epochs):
        order = torch.randperm(len(window_labels), generator=generator)
        for start in range(0, len(order), settings.batch_size):
            rows = order[start:start + settings.batch_size]
            loss = model(**{key: value[rows] for key, value in inputs.items()}, labels=window_labels[rows]).loss
            loss.backward()
            optimizer.step(), schedule.step(), optimizer.zero_grad()
            progress.step(epoch * steps_per_epoch + start // settings.batch_size + 1, loss.item())
    model.save_pretrained(target)
    tokenizer.save_pretrained(target)


def _training_windows(tokenizer, train_set, labels, settings: ClassifierSettings):
    inputs, owners = windows(tokenizer, [example.text for example in train_set], settings.window_tokens)
    # Keep each note's first windows only: position of each window within its note.
    starts = torch.cat([torch.tensor([0]), (owners[1:] != owners[:-1]).nonzero().flatten() + 1])
    position = torch.arange(len(owners)) - starts[torch.bucketize(torch.arange(len(owners)), starts, right=True) - 1]
    keep = position < settings.max_windows_per_note
    label_ids = torch.tensor([labels.index(example.target) for example in train_set])
    return {key: value[keep] for key, value in inputs.items()}, label_ids[owners[keep]]
