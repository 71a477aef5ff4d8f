from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clinical_ai.accounts"
    label = "accounts"

    def ready(self):
        from clinical_ai.accounts import signals  # noqa: F401
