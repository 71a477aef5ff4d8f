"""The LoRA summarizer's training examples and loss: the inference prompt, then the target and EOS,
with the loss on the target tokens only."""
import pytest
import torch
from transformers import AutoModelForCausalLM

from clinical_ai.nlp.datasets import Example
from clinical_ai.nlp.summarizer import load_tokenizer, prompt
from clinical_ai.nlp.training import summarize
from tests.nlp import tiny_models
from tests.nlp.conftest import CARDIO, NEURO

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny_lm(default_models, tmp_path):
    folder = tiny_models.causal_lm(tmp_path / "lm", default_models["summarize"].folder)
    return load_tokenizer(folder), AutoModelForCausalLM.from_pretrained(folder)


def test_an_example_is_the_inference_prompt_then_the_target_and_eos_and_only_the_target_is_labelled(tiny_lm):
    tokenizer, _ = tiny_lm
    settings = summarize.SummarizerSettings(max_source_tokens=12)
    ids, labels = summarize.encode(tokenizer, Example(CARDIO, "Chest pain."), settings)

    source = tokenizer.decode(tokenizer(CARDIO, add_special_tokens=False)["input_ids"][:12])
    prompt_ids = tokenizer(prompt(tokenizer, source), add_special_tokens=False)["input_ids"]
    target_ids = tokenizer("Chest pain.", add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    assert ids == prompt_ids + target_ids  # the very template the Summarizer generates from
    assert labels == [-100] * len(prompt_ids) + target_ids


def test_the_training_loss_is_the_cross_entropy_of_the_target_tokens_only(tiny_lm):
    tokenizer, model = tiny_lm
    settings = summarize.SummarizerSettings(max_source_tokens=24)
    items = [summarize.encode(tokenizer, example, settings)
             for example in (Example(CARDIO, "Chest pain."), Example(NEURO, "Acute stroke with right-sided weakness."))]
    batch = summarize.collate(items, tokenizer.pad_token_id)

    loss = summarize.target_loss(model, batch)

    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    scored = [(row, t) for row, (_, labels) in enumerate(items) for t in range(1, len(labels)) if labels[t] != -100]
    expected = torch.stack([torch.nn.functional.cross_entropy(logits[row, t - 1], batch["labels"][row, t])
                            for row, t in scored]).mean()
    assert len(scored) == sum(len(labels) - labels.count(-100) for _, labels in items)
    assert torch.allclose(loss, expected, atol=1e-5)
    assert torch.allclose(loss, model(**batch).loss, atol=1e-5)  # the model's own masked loss agrees



def test_the_target_budget_holds_nine_targets_in_ten_within_its_bounds(tiny_lm):
    tokenizer, _ = tiny_lm
    tokens = lambda text: len(tokenizer(text, add_special_tokens=False)["input_ids"]) + 1  # noqa: E731
    long_history = " ".join(["The patient reports worsening exertional chest pain over two weeks."] * 12)
    examples = [Example(CARDIO, "Chest pain.")] * 5 + [Example(NEURO, long_history)] * 5
    assert 64 < tokens(long_history) < 256
    assert summarize.target_budget(tokenizer, examples) == tokens(long_history)
    assert summarize.target_budget(tokenizer, examples[:5]) == 64  # one-line targets: the least budget
    assert summarize.target_budget(tokenizer, [Example(NEURO, long_history * 3)]) == 256
    chosen = summarize.with_target_budget(summarize.SummarizerSettings(), tokenizer, examples)
    assert chosen.max_target_tokens == chosen.max_new_tokens == tokens(long_history)
    given = summarize.SummarizerSettings(max_target_tokens=80, max_new_tokens=40)
    assert summarize.with_target_budget(given, tokenizer, examples) == given


def test_the_same_seed_trains_the_same_adapter(default_models, tmp_path):
    base = tiny_models.causal_lm(tmp_path / "lm", default_models["summarize"].folder)
    notes = [Example(f"{text} Seen on visit {i}.", text.split(";")[0]) for i in range(3) for text in (CARDIO, NEURO)]
    settings = summarize.SummarizerSettings(steps=3, max_source_tokens=32, max_new_tokens=4)
    for run in ("first", "second"):
        summarize.train(notes[:4], notes[4:], base, tmp_path / run, settings, write=lambda line: None)
    assert ((tmp_path / "first" / "adapter_model.safetensors").read_bytes()
            == (tmp_path / "second" / "adapter_model.safetensors").read_bytes())
