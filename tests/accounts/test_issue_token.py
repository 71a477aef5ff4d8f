import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

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
    assert Token.objects.get(user=user).key == second  # the old token no longer works
