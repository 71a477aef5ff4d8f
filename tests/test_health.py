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
