"""The security properties of issue #13: hashed expiring tokens, no impersonation through the admin
site, audited role changes, start pages per role, API-only service accounts, no-store, quiet 403s,
a health check that tells strangers only its status."""
import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from clinical_ai import health
from clinical_ai.accounts.models import ApiToken, token_digest
from clinical_ai.accounts.services import issue_token
from clinical_ai.audit.models import AuditEvent
from clinical_ai.nlp.models import ModelVersion
from tests.accounts.conftest import PASSWORD


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_get(token: str, path: str = "/api/v1/documents/no-such-document"):
    return Client().get(path, HTTP_AUTHORIZATION=f"Token {token}")


def test_a_token_is_stored_only_as_its_digest(db):
    key = issue_token("dr-hash", "clinician")

    stored = ApiToken.objects.get(user__username="dr-hash")
    assert stored.digest == token_digest(key) and key not in (stored.digest, stored.prefix)
    assert api_get(key).status_code == 404  # authenticated: the document is what is missing


def test_an_expired_token_is_refused(db):
    key = issue_token("dr-late", "clinician")
    ApiToken.objects.filter(user__username="dr-late").update(expires_at=timezone.now() - timedelta(seconds=1))

    response = api_get(key)

    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_issue_token_replaces_the_previous_token_unless_keep(db, capsys):
    first = issue_token("engine", "service")
    second = issue_token("engine", "service")
    call_command("issue_token", "engine", "--role", "service", "--keep", "--days", "7")
    third = capsys.readouterr().out.strip().splitlines()[-1]

    assert api_get(first, "/api/v1/documents/x").status_code == 401
    assert api_get(second, "/api/v1/documents/x").status_code == 403  # known, but a service may not read
    assert api_get(third, "/api/v1/documents/x").status_code == 403
    newest = ApiToken.objects.filter(user__username="engine").first()
    assert timedelta(days=6.9) < newest.expires_at - timezone.now() < timedelta(days=7.1)


def test_the_admin_site_shows_no_token_and_cannot_edit_models_or_own_role(users):
    key = issue_token("dr-victim", "clinician")
    client = logged_in(users["admin"])
    version = ModelVersion.objects.create(name="m", version="1", task="classify", path="m/1", sha256="x")
    profile = users["admin"].profile

    tokens_page = client.get("/admin/accounts/apitoken/").content.decode()
    drf_tokens = client.get("/admin/authtoken/tokenproxy/")
    client.post(f"/admin/nlp/modelversion/{version.pk}/change/",
                {"name": "m", "version": "1", "task": "classify", "status": "active", "path": "/etc",
                 "sha256": "x", "metrics": '{"macro_f1": 1.0}', "training_data": "{}", "hyperparameters": "{}"})
    client.post(f"/admin/accounts/profile/{profile.pk}/change/", {"user": profile.user_id, "role": "clinician",
                                                                    "unit": "ward-a"})

    assert key not in tokens_page and token_digest(key) not in tokens_page
    assert drf_tokens.status_code == 404
    version.refresh_from_db()
    assert version.path == "m/1" and version.metrics == {} and version.status == "candidate"
    profile.refresh_from_db()
    assert profile.role == "admin"


def test_a_role_change_is_audited_with_before_and_after(users):
    clinician = users["clinician"]

    logged_in(users["admin"]).post(f"/admin/accounts/profile/{clinician.profile.pk}/change/",
                                   {"user": clinician.pk, "role": "compliance", "unit": "ward-a"})

    change = AuditEvent.objects.filter(action="config-change", details__change="role", object_id=str(clinician.pk)).last()
    assert change.details["before"] == {"role": "clinician", "unit": "ward-a"}
    assert change.details["after"] == {"role": "compliance", "unit": "ward-a"} and change.actor == users["admin"]
    via_admin = AuditEvent.objects.get(action="config-change", details__via="admin")
    assert via_admin.actor == users["admin"] and via_admin.details["fields"] == ["Role"]


@pytest.mark.parametrize("role, start", [("clinician", "/"), ("compliance", "/audit/"), ("admin", "/admin/")])
def test_each_role_logging_in_at_the_root_lands_on_its_own_page(users, role, start):
    client = Client()

    login = client.post("/login?next=/", {"username": f"{role}-user", "password": PASSWORD, "next": "/"}, follow=True)

    assert login.status_code == 200 and login.redirect_chain[-1][0] == start


def test_the_admin_sites_view_site_link_leads_to_a_page_the_admin_may_see(users):
    client = logged_in(users["admin"])
    site_url = client.get("/admin/").context["site_url"]

    assert client.get(site_url, follow=True).status_code == 200


def test_a_service_account_cannot_log_into_the_web_ui(users):
    client = Client()

    response = client.post("/login", {"username": "service-user", "password": PASSWORD})

    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "Service accounts use the API" in response.content.decode()


def test_responses_with_document_content_are_not_stored(users, ward_document):
    client = logged_in(users["clinician"])
    key = issue_token("dr-api", "clinician", unit="ward-a")

    for response in (client.get("/"), client.get(f"/documents/{ward_document.pk}"),
                     api_get(key, f"/api/v1/documents/{ward_document.pk}")):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]


def test_a_403_is_logged_without_a_traceback(users, ward_document, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = logged_in(users["compliance"]).get(f"/documents/{ward_document.pk}")

    assert response.status_code == 403
    assert [r for r in caplog.records if r.name == "django.request"]
    assert all(record.exc_info is None for record in caplog.records)


def test_healthz_tells_anyone_the_status_and_staff_the_detail(users, monkeypatch):
    monkeypatch.setattr(health, "CHECKS", {"database": health.check_database})

    anyone = Client().get("/healthz").json()
    clinician = logged_in(users["clinician"]).get("/healthz").json()
    admin = logged_in(users["admin"]).get("/healthz").json()

    assert anyone == clinician == {"status": "ok"}
    assert admin["database"]["ok"] is True


def test_the_admin_site_cannot_make_a_user_staff_behind_the_roles_back(users):
    clinician = users["clinician"]

    logged_in(users["admin"]).post(f"/admin/auth/user/{clinician.pk}/change/", {
        "username": clinician.username, "is_active": "on", "is_staff": "on", "is_superuser": "on",
        "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00"})

    clinician.refresh_from_db()
    assert not clinician.is_staff and not clinician.is_superuser
