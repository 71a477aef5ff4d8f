from django.conf import settings
from django.core.management.base import BaseCommand

from clinical_ai.accounts.models import Role
from clinical_ai.accounts.services import issue_token


class Command(BaseCommand):
    help = ("Create USERNAME if needed, give it ROLE, and print a fresh API token as the last line. "
            "The user's previous tokens stop working unless --keep is given. The token is shown only now.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--unit", default="default", help="the care unit whose documents the user sees")
        parser.add_argument("--keep", action="store_true", help="keep the user's earlier tokens working")
        parser.add_argument("--days", type=float, default=settings.API_TOKEN_DAYS,
                            help="days until the token expires (default API_TOKEN_DAYS)")

    def handle(self, username, role, unit, keep, days, **options):
        token = issue_token(username, role, unit, keep=keep, days=days)
        self.stdout.write(f"Token for {username} ({role}, unit {unit}), valid {days:g} days; "
                          "send it as 'Authorization: Token <token>'. It is not stored and cannot be shown again:")
        self.stdout.write(token)
