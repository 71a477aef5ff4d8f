"""Logins are throttled and audited; pages carry a strict Content-Security-Policy; forms need CSRF."""
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinical_ai.audit.models import AuditEvent
from tests.accounts.conftest import PASSWORD


def test_five_failed_logins_lock_the_account_even_for_the_right_password(users, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login", {"username": "clinician-user", "password": "wrong password"})

    locked = client.post("/login", {"username": "clinician-user", "password": PASSWORD})

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    failures = AuditEvent.objects.filter(action="login-failed")
    assert failures.count() >= settings.AXES_FAILURE_LIMIT
    assert all("wrong password" not in str(event.details) for event in failures)


def test_a_good_login_is_audited(users):
    client = Client()

    response = client.post("/login", {"username": "compliance-user", "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/home"
    assert AuditEvent.objects.filter(action="login", actor=users["compliance"]).exists()


def test_pages_carry_a_strict_content_security_policy(db):
    policy = Client().get("/login")["Content-Security-Policy"]

    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy


def test_a_login_without_the_csrf_token_is_refused(users):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/login", {"username": "clinician-user", "password": PASSWORD})

    assert response.status_code == 403


def test_a_user_with_an_authenticator_needs_its_code(users):
    device = TOTPDevice.objects.create(user=users["compliance"], name="phone", confirmed=True)
    credentials = {"username": "compliance-user", "password": PASSWORD}

    without_code = Client().post("/login", credentials)
    client = Client()
    with_code = client.post("/login", {**credentials, "otp_token": f"{totp(device.bin_key):06d}"})
    wrong_code = Client().post("/login", {**credentials, "otp_token": "000000"})  # after: a failure throttles

    assert without_code.status_code == 200 and "authenticator code" in without_code.content.decode()
    assert wrong_code.status_code == 200
    assert with_code.status_code == 302 and client.session.get("otp_device_id") == device.persistent_id
