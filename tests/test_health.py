import pytest
from django.contrib.auth import get_user_model

from clinical_ai.accounts.models import Profile
from tests.stack import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_user("ops")
    Profile.objects.create(user=admin, role="admin")  # the admin role is staff
    client.force_login(admin)
    return client


def test_health_is_503_for_anyone_without_naming_parts(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

    response = client.get("/healthz")

    assert response.status_code == 503 and response.json() == {"status": "degraded"}


def test_health_is_503_and_names_the_part_that_is_down_to_staff(admin_client, settings):
    client = admin_client
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there

    response = client.get("/healthz")

    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "degraded"
    assert report["database"]["ok"] is True
    assert report["redis"] == {"ok": False, "error": "ConnectionError"}


def test_models_are_healthy_when_each_active_folder_serves_its_task_and_a_tagger_is_optional(tmp_path, settings):
    """A LoRA adapter and the PHI tagger have no config.json; a missing deid version leaves the rules alone."""
    from clinical_ai.health import check_models
    from clinical_ai.nlp.models import ModelVersion

    settings.MODEL_ROOT = tmp_path
    (tmp_path / "lm").mkdir()
    (tmp_path / "lm" / "config.json").write_text('{"architectures": ["LlamaForCausalLM"]}')
    (tmp_path / "head").mkdir()
    (tmp_path / "head" / "classifier_head.safetensors").write_bytes(b"")
    (tmp_path / "tagger" / "model").mkdir(parents=True)
    for task, path in (("summarize", "lm"), ("classify", "head")):
        ModelVersion.objects.create(name=path, version="1", task=task, path=path, status="active")
    assert check_models()["ok"] is True and check_models()["active"]["deid"] is None

    tagger = ModelVersion.objects.create(name="tagger", version="1", task="deid", path="tagger", status="active")
    assert check_models()["ok"] is False  # its folder holds no tagger yet
    (tmp_path / "tagger" / "card.json").write_text("{}")
    (tmp_path / "tagger" / "model" / "meta.json").write_text("{}")
    assert check_models()["active"]["deid"] == {"model": tagger.ref, "present": True} and check_models()["ok"]
