from django.core.management.base import BaseCommand

from clinical_ai.accounts.models import Role
from clinical_ai.accounts.services import issue_token


class Command(BaseCommand):
    help = "Create USERNAME if needed, give it ROLE, and print a fresh API token as the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--unit", default="default", help="the care unit whose documents the user sees")

    def handle(self, username, role, unit, **options):
        token = issue_token(username, role, unit)
        self.stdout.write(f"Token for {username} ({role}, unit {unit}); send it as 'Authorization: Token <token>':")
        self.stdout.write(token)
