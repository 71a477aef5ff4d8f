"""Every URL in the URL conf against every role: allowed or denied, as the roles say.

The URLs come from the resolver, so a new view with no entry in ALLOWED fails here until
someone decides who may use it.
"""
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from clinical_ai import health

ANYONE = {"anonymous", "clinician", "compliance", "admin", "service"}
PEOPLE = {"clinician", "compliance", "admin"}

NOBODY: set[str] = set()
# The admin site's read-only models: the audit trail (append-only), django-axes' records, the
# quarantine (reviewable, never added or deleted by hand), API tokens (revocable, never made or read
# there) and model versions (changed only through the audited model lifecycle).
READ_ONLY_IN_ADMIN = {
    "admin:accounts_apitoken_add": NOBODY,
    "admin:accounts_apitoken_change": {"GET": {"admin"}, "POST": NOBODY},
    "admin:nlp_modelversion_add": NOBODY,
    "admin:nlp_modelversion_change": {"GET": {"admin"}, "POST": NOBODY},
    "admin:nlp_modelversion_delete": NOBODY,
    "admin:documents_quarantinedinput_add": NOBODY,
    "admin:documents_quarantinedinput_delete": NOBODY,
    "admin:audit_auditevent_add": NOBODY,
    "admin:audit_auditevent_change": {"GET": {"admin"}, "POST": NOBODY},
    "admin:audit_auditevent_delete": NOBODY,
    **{f"admin:axes_{model}_add": NOBODY for model in ("accessattempt", "accesslog", "accessfailurelog")},
    **{f"admin:quality_{model}_{view}": NOBODY for model in ("report", "dailystatistics") for view in ("add", "delete")},
    **{f"admin:quality_{model}_change": {"GET": {"admin"}, "POST": NOBODY} for model in ("report", "dailystatistics")},
}

# Who may use each URL, by URL name, for GET and POST alike or per method ({"GET": ..., "POST": ...});
# "namespace:*" covers a whole namespace, named patterns or not.
ALLOWED = {
    "healthz": ANYONE,
    "login": ANYONE,
    "logout": ANYONE,
    "home": PEOPLE,
    "password_change": PEOPLE,
    "api-schema": PEOPLE,
    "api-documents": {"clinician", "service"},
    "fhir-inbound": {"clinician", "service"},
    "api-batch": {"clinician", "service"},
    "api-document": {"clinician"},
    "document-fhir": {"clinician"},
    "documents:list": {"clinician"},
    "documents:upload": {"clinician"},
    "documents:detail": {"clinician"},
    "documents:original": {"clinician"},
    "audit:*": {"compliance"},
    # The model registry page: list, start training, assign, promote, retire, roll back. Admins only.
    "nlp:list": {"admin"},
    "nlp:train": {"admin"},
    "nlp:promote": {"admin"},
    "nlp:retire": {"admin"},
    "nlp:assign": {"admin"},
    "nlp:rollback": {"admin"},
    # Reports on AI output: clinicians file them; model owners (admins) and compliance work the incidents.
    "quality:report": {"clinician"},
    "quality:incidents": {"admin", "compliance"},
    "quality:incident-update": {"admin", "compliance"},
    "admin:*": {"admin"},
    "admin:login": ANYONE,
    "admin:logout": ANYONE,
    # No admin form here uses autocomplete: a GET is refused for its missing field parameters even
    # to admins, a POST reaches the view (405) for admins only.
    "admin:autocomplete": {"GET": NOBODY, "POST": {"admin"}},
    **READ_ONLY_IN_ADMIN,
}
LOGIN_PAGES = ("/login", "/admin/login/")
MISSING_ID = "999999"  # admin object ids: never an existing row, so no POST changes anything


def url_patterns(resolver=None, prefix="", namespace=""):
    """(key, regex-or-route string) for every pattern the resolver knows, nested includes included."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            yield from url_patterns(entry, route, inner)
        elif isinstance(entry, URLPattern):
            name = entry.name or f"<{route}>"
            yield (f"{namespace}:{name}" if namespace else name), route


def concrete_path(route: str, samples: dict) -> str:
    """A URL for a route (``<uuid:document_id>`` or ``(?P<app_label>...)``), filled with sample values."""
    filled = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: samples.get(m.group(1), MISSING_ID), route)
    filled = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: samples.get(m.group(1), MISSING_ID), filled)
    return "/" + filled.replace("^", "").replace("$", "").replace("\\", "")


def allowed_roles(key: str, method: str = "GET") -> set[str]:
    namespace = key.split(":")[0] + ":*"
    if key in ALLOWED:
        allowed = ALLOWED[key]
    elif ":" in key and namespace in ALLOWED:
        allowed = ALLOWED[namespace]
    else:
        raise AssertionError(f"{key} is not in the authorization matrix: decide who may use it")
    return allowed[method] if isinstance(allowed, dict) else allowed


def was_denied(response) -> bool:
    location = response.get("Location", "")
    sent_to_login = response.status_code == 302 and location.startswith(LOGIN_PAGES) and "next=" in location
    sent_home = response.status_code == 302 and location == "/home"  # a landing page, for another role
    return response.status_code in (401, 403) or sent_to_login or sent_home


def test_every_url_is_in_the_matrix():
    for key, _ in url_patterns():
        allowed_roles(key)


@pytest.mark.parametrize("role", sorted(ANYONE))
def test_each_role_reaches_exactly_its_urls(role, users, ward_document, monkeypatch):
    monkeypatch.setattr(health, "CHECKS", {})  # no Redis or workers here; the check bodies do not matter
    samples = {"document_id": str(ward_document.pk), "fmt": "csv", "app_label": "auth", "url": "no-such-page/"}
    client, wrong = Client(raise_request_exception=False), []
    for key, route in url_patterns():
        for method in ("GET", "POST"):
            if role != "anonymous" and "_auth_user_id" not in client.session:  # a logout view ended it
                client.force_login(users[role])
            response = client.generic(method, concrete_path(route, samples))
            if was_denied(response) == (role in allowed_roles(key, method)):
                wrong.append(f"{method} {key} -> {response.status_code}")
    assert wrong == [], f"{role} is allowed or denied contrary to the matrix: {wrong}"
