import pytest

from tests.stack import free_port

pytestmark = pytest.mark.django_db


def test_health_is_503_and_names_the_part_that_is_down(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there

    response = client.get("/healthz")

    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "degraded"
    assert report["database"]["ok"] is True
    assert report["redis"] == {"ok": False, "error": "ConnectionError"}
