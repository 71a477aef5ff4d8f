import pytest

from clinical_ai.audit.models import AuditEvent
from clinical_ai.nlp import lifecycle
from clinical_ai.nlp.models import ModelVersion
from tests.nlp import tiny_models

pytestmark = pytest.mark.django_db


def test_promotion_retires_the_previous_active_model_and_is_audited(default_models, tmp_path):
    first = tiny_models.registered_candidate(default_models, tmp_path, "first", 0.6)
    lifecycle.promote(first, promoted_by="alice")
    better = tiny_models.registered_candidate(default_models, tmp_path, "better", 0.7)
    lifecycle.promote(better, promoted_by="bob")
    statuses = dict(ModelVersion.objects.filter(task="classify").values_list("name", "status"))
    assert statuses == {"note-type-minilm-head": "retired", "first": "retired", "better": "active"}
    assert ModelVersion.objects.get(name="better").promoted_by == "bob"
    event = AuditEvent.objects.filter(action="model-promote").latest("occurred_at")
    assert (event.outcome, event.object_id, event.actor_name) == ("success", "better@1", "bob")
    assert event.details["active_metric"] == 0.6 and event.details["sha256"] == better.sha256


def test_a_worse_candidate_is_refused_unless_forced_with_a_reason(default_models, tmp_path):
    lifecycle.promote(tiny_models.registered_candidate(default_models, tmp_path, "good", 0.8), promoted_by="alice")
    worse = tiny_models.registered_candidate(default_models, tmp_path, "worse", 0.5)
    with pytest.raises(lifecycle.PromotionRefused):
        lifecycle.promote(worse, promoted_by="bob", force=True)  # no reason: still refused
    assert AuditEvent.objects.filter(action="model-promote", outcome="failure").count() == 1
    lifecycle.promote(worse, promoted_by="bob", force=True, reason="rollback after a data issue")
    forced = AuditEvent.objects.filter(action="model-promote", outcome="success").latest("occurred_at")
    assert forced.details["forced"] and forced.details["reason"] == "rollback after a data issue"
    assert ModelVersion.objects.filter(task="classify", status="active").get().name == "worse"


def test_the_active_model_cannot_be_retired(default_models):
    with pytest.raises(ValueError, match="is active"):
        lifecycle.retire(default_models["classify"], retired_by="alice")
