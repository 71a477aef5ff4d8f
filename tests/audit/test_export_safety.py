"""Exports a spreadsheet cannot run, and filters that never fall back to "everything"."""
import csv
import io

import pytest
from django.test import Client

from clinical_ai.audit.models import AuditEvent


def exported_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralized(db, officer_client, start):
    Client(HTTP_USER_AGENT=f'{start}HYPERLINK("http://evil.example","x")').post(
        "/login", {"username": "nobody", "password": "wrong"})

    rows = exported_rows(officer_client.get("/audit/export.csv", {"action": "login-failed"}))

    assert rows and all(row["user_agent"] == f"'{start}HYPERLINK(\"http://evil.example\",\"x\")" for row in rows)


@pytest.mark.parametrize("query", [{"since": "bad"}, {"action": "no-such-action"}, {"sort": "hmac"},
                                   {"since": "2024-02-01", "until": "2024-01-01"}])
def test_an_invalid_filter_is_an_error_never_everything(events, officer_client, query):
    exported = officer_client.get("/audit/export.csv", query)
    page = officer_client.get("/audit/", query)

    assert exported.status_code == 400 and not AuditEvent.objects.filter(action="export").exists()
    assert page.status_code == 400 and list(page.context["page"].object_list) == []
    assert 'id="filter-errors"' in page.content.decode()


def test_a_failed_login_for_an_unknown_name_is_not_the_systems(db):
    Client().post("/login", {"username": "nobody-by-this-name", "password": "wrong"})

    failure = AuditEvent.objects.get(action="login-failed")
    assert failure.actor is None and failure.actor_name == "unknown user"
    assert "nobody-by-this-name" not in failure.actor_name + str(failure.details)
