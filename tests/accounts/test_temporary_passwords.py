"""Issue #13: a password someone else sets is temporary. An admin who sets a clinician's password can
log in with it only to a change-password form; the clinician then chooses one the admin does not
know. Every password set by someone else, and every login with a temporary one, is audited."""
import json

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from clinical_ai.accounts.middleware import LIVE_REFRESH_HEADER
from clinical_ai.audit.models import AuditEvent
from tests.accounts.conftest import PASSWORD

TEMPORARY = "a temporary one the admin typed"
CHOSEN = "only the clinician knows this one"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def admin_sets_password(admin, user, password=TEMPORARY):
    return logged_in(admin).post(f"/admin/auth/user/{user.pk}/password/",
                                 {"password1": password, "password2": password, "usable_password": "true"})


def log_in(username, password) -> tuple[Client, object]:
    client = Client()
    response = client.post("/login", {"username": username, "password": password, "next": "/"}, follow=True)
    return client, response


def test_logging_in_with_a_password_an_admin_set_lands_on_the_change_form(users, ward_document):
    admin_sets_password(users["admin"], users["clinician"])

    client, response = log_in("clinician-user", TEMPORARY)

    assert response.redirect_chain[-1][0].startswith("/password")
    assert response.status_code == 200 and "Ada Quill" not in response.content.decode()
    assert "[NAME]" not in response.content.decode()


def test_pages_and_the_api_are_refused_until_the_password_is_changed(users, ward_document):
    admin_sets_password(users["admin"], users["clinician"])
    client, _ = log_in("clinician-user", TEMPORARY)

    page = client.get(f"/documents/{ward_document.pk}")
    listing = client.get("/")
    api = client.get(f"/api/v1/documents/{ward_document.pk}")
    admin_site = client.get("/admin/")

    assert page.status_code == 302 and page["Location"].startswith("/password")
    assert listing.status_code == 302 and listing["Location"].startswith("/password")
    assert api.status_code == 403 and "[NAME]" not in api.content.decode()
    assert admin_site.status_code == 302 and admin_site["Location"].startswith("/password")


def test_a_background_refresh_or_a_form_post_is_refused_without_content(users, ward_document):
    admin_sets_password(users["admin"], users["clinician"])
    client, _ = log_in("clinician-user", TEMPORARY)

    refresh = client.get("/", headers={LIVE_REFRESH_HEADER: "1"})
    upload = client.post("/documents/new", {"text": "Ada Quill, new note."})

    assert refresh.status_code == 403 and upload.status_code == 403
    assert "[NAME]" not in refresh.content.decode()


def test_after_choosing_their_own_password_the_user_works_and_the_temporary_one_is_dead(users, ward_document):
    admin_sets_password(users["admin"], users["clinician"])
    client, _ = log_in("clinician-user", TEMPORARY)

    changed = client.post("/password", {"old_password": TEMPORARY, "new_password1": CHOSEN,
                                        "new_password2": CHOSEN})

    assert changed.status_code == 302
    assert client.get(f"/documents/{ward_document.pk}").status_code == 200
    assert client.get(f"/api/v1/documents/{ward_document.pk}").status_code == 200
    _, with_temporary = log_in("clinician-user", TEMPORARY)
    assert "_auth_user_id" not in with_temporary.client.session
    again, _ = log_in("clinician-user", CHOSEN)
    assert again.get(f"/documents/{ward_document.pk}").status_code == 200
    users["clinician"].profile.refresh_from_db()
    assert users["clinician"].profile.password_is_temporary is False


def test_the_temporary_password_cannot_be_chosen_again(users):
    admin_sets_password(users["admin"], users["clinician"])
    client, _ = log_in("clinician-user", TEMPORARY)

    response = client.post("/password", {"old_password": TEMPORARY, "new_password1": TEMPORARY,
                                         "new_password2": TEMPORARY})

    assert response.status_code == 200
    users["clinician"].profile.refresh_from_db()
    assert users["clinician"].profile.password_is_temporary is True


def test_the_trail_has_who_set_it_the_temporary_login_and_the_change_and_no_password(users):
    admin_sets_password(users["admin"], users["clinician"])
    client, _ = log_in("clinician-user", TEMPORARY)
    client.post("/password", {"old_password": TEMPORARY, "new_password1": CHOSEN, "new_password2": CHOSEN})

    clinician = users["clinician"]
    password_events = AuditEvent.objects.filter(details__change="password", object_id=str(clinician.pk))
    set_by_admin, own = password_events.order_by("id")
    assert set_by_admin.actor == users["admin"] and set_by_admin.details["temporary"] is True
    assert own.actor == clinician and own.details["temporary"] is False
    login = AuditEvent.objects.filter(action="login", actor=clinician).get()
    assert login.details["temporary_password"] is True
    everything = json.dumps(list(AuditEvent.objects.values("details", "user_agent", "object_id")))
    assert TEMPORARY not in everything and CHOSEN not in everything and PASSWORD not in everything


def test_changepassword_on_the_command_line_makes_a_temporary_password(users, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": TEMPORARY)

    call_command("changepassword", "clinician-user")

    users["clinician"].profile.refresh_from_db()
    assert users["clinician"].profile.password_is_temporary is True
    event = AuditEvent.objects.get(details__change="password")
    assert event.actor is None and event.details["temporary"] is True
    assert event.object_id == str(users["clinician"].pk)
    client, response = log_in("clinician-user", TEMPORARY)
    assert response.redirect_chain[-1][0].startswith("/password")


def test_an_admin_cannot_clear_the_flag_in_the_admin_site(users):
    clinician = users["clinician"]
    admin_sets_password(users["admin"], clinician)

    logged_in(users["admin"]).post(f"/admin/accounts/profile/{clinician.profile.pk}/change/",
                                   {"user": clinician.pk, "role": "clinician", "unit": "ward-a"})

    clinician.profile.refresh_from_db()
    assert clinician.profile.password_is_temporary is True


def test_ones_own_login_with_ones_own_password_is_not_temporary(users):
    client, response = log_in("clinician-user", PASSWORD)

    assert response.redirect_chain[-1][0] == "/"
    assert "temporary_password" not in AuditEvent.objects.get(action="login").details


def test_whoever_logged_in_with_the_temporary_password_is_logged_out_once_the_user_chooses_theirs(users):
    admin_sets_password(users["admin"], users["clinician"])
    admin_as_clinician, _ = log_in("clinician-user", TEMPORARY)
    clinician, _ = log_in("clinician-user", TEMPORARY)

    clinician.post("/password", {"old_password": TEMPORARY, "new_password1": CHOSEN, "new_password2": CHOSEN})

    response = admin_as_clinician.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login")
    temporary_logins = AuditEvent.objects.filter(action="login", details__temporary_password=True)
    assert temporary_logins.count() == 2


def test_a_user_added_with_a_password_in_the_admin_site_gets_a_temporary_one(users):
    admin = logged_in(users["admin"])

    admin.post("/admin/auth/user/add/", {"username": "dr-new", "password1": TEMPORARY, "password2": TEMPORARY,
                                         "usable_password": "true"})
    new = get_user_model().objects.get(username="dr-new")
    admin.post("/admin/accounts/profile/add/", {"user": new.pk, "role": "clinician", "unit": "ward-a"})

    assert new.profile.password_is_temporary is True
    _, response = log_in("dr-new", TEMPORARY)
    assert response.redirect_chain[-1][0].startswith("/password")
    set_by_admin = AuditEvent.objects.get(details__change="password", object_id=str(new.pk))
    assert set_by_admin.actor == users["admin"] and set_by_admin.details["created"] is True
