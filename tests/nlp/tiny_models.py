"""Tiny random-weight models of each kind, saved as Hugging Face folders: fast stand-ins that exercise
the same loading and generation code as the real ones."""
from django.contrib.auth import get_user_model
from transformers import (
    AutoTokenizer,
    BartConfig,
    BartForConditionalGeneration,
    BertConfig,
    BertForSequenceClassification,
    LlamaConfig,
    LlamaForCausalLM,
)

from clinical_ai.accounts.models import Profile, Role
from clinical_ai.nlp import lifecycle
from clinical_ai.nlp.models import ModelVersion


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


SHARED_SET = {"sha256": "tiny-shared-evaluation-set", "rows": 40}


def registered_candidate(default_models, tmp_path, name, macro_f1):
    """A tiny classifier imported into the registry as a candidate with an owner and a clinical validator,
    scored ``macro_f1`` on an evaluation set the default classifier was scored on too (0.1)."""
    folder = sequence_classifier(tmp_path / name, default_models["classify"].folder, ["A", "B"])
    version = lifecycle.import_folder(folder, name=name, task="classify")
    version.metrics = {"validation": {"macro_f1": macro_f1}}
    version.save()
    default = ModelVersion.objects.get(pk=default_models["classify"].pk)
    if SHARED_SET["sha256"] not in default.evaluations:
        lifecycle.record_evaluation(default, SHARED_SET, {"macro_f1": 0.1})
    lifecycle.record_evaluation(version, SHARED_SET, {"macro_f1": macro_f1})
    return accountable(version)


def accountable(version):
    """``version`` with an owner and a clinical validator, as promotion requires."""
    owner, validator = accountable_users()
    return lifecycle.assign(version, owner=owner, clinical_validator=validator, assigned_by="test")


def accountable_users():
    """An admin who owns models and a clinician who validates them."""
    return user("olga-owner", Role.ADMIN), user("vic-validator", Role.CLINICIAN)


def user(username, role):
    account, created = get_user_model().objects.get_or_create(username=username)
    if created:
        account.set_password("x")
        account.save()
        Profile.objects.create(user=account, role=role, unit="default")
    return account
