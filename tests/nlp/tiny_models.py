"""Tiny random-weight models of each kind, saved as Hugging Face folders: fast stand-ins that exercise
the same loading and generation code as the real ones."""
from transformers import (
    AutoTokenizer,
    BartConfig,
    BartForConditionalGeneration,
    BertConfig,
    BertForSequenceClassification,
    LlamaConfig,
    LlamaForCausalLM,
)

from clinical_ai.nlp import lifecycle


def causal_lm(folder, tokenizer_folder):
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_folder)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, eos_token_id=tokenizer.eos_token_id,
                         bos_token_id=tokenizer.bos_token_id, pad_token_id=tokenizer.eos_token_id)
    return _save(LlamaForCausalLM(config), tokenizer, folder)


def seq2seq(folder, tokenizer_folder):
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_folder)
    eos = tokenizer.eos_token_id
    config = BartConfig(vocab_size=len(tokenizer), d_model=16, encoder_layers=1, decoder_layers=1,
                        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
                        decoder_ffn_dim=32, max_position_embeddings=2048, eos_token_id=eos, bos_token_id=eos,
                        pad_token_id=eos, decoder_start_token_id=eos, forced_eos_token_id=None)
    return _save(BartForConditionalGeneration(config), tokenizer, folder)


def sequence_classifier(folder, tokenizer_folder, labels):
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_folder)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, num_labels=len(labels), id2label=dict(enumerate(labels)),
                        label2id={label: i for i, label in enumerate(labels)})
    return _save(BertForSequenceClassification(config), tokenizer, folder)


def _save(model, tokenizer, folder):
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def registered_candidate(default_models, tmp_path, name, macro_f1):
    """A tiny classifier imported into the registry as a candidate with the given validation macro-F1."""
    folder = sequence_classifier(tmp_path / name, default_models["classify"].folder, ["A", "B"])
    version = lifecycle.import_folder(folder, name=name, task="classify")
    version.metrics = {"validation": {"macro_f1": macro_f1}}
    version.save()
    return version
