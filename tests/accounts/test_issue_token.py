import pytest
from django.core.management import call_command

from clinical_ai.accounts.models import ApiToken, token_digest

pytestmark = pytest.mark.django_db


def issue(username, role, capsys):
    call_command("issue_token", username, "--role", role)
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_issue_token_creates_the_user_and_prints_a_fresh_token_last(capsys, django_user_model):
    first = issue("ward-clerk", "service", capsys)
    second = issue("ward-clerk", "service", capsys)

    user = django_user_model.objects.get(username="ward-clerk")
    assert user.profile.role == "service"
    assert first != second
    assert ApiToken.objects.get(user=user).digest == token_digest(second)  # the old token no longer works
