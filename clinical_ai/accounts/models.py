from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    COMPLIANCE = "compliance", "Compliance officer"
    ADMIN = "admin", "Administrator"
    SERVICE = "service", "Service account (interface engine)"


class Profile(models.Model):
    """What a user may do (role) and whose documents they may see (unit)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CLINICIAN)
    unit = models.CharField(max_length=64, default="default")

    def __str__(self):
        return f"{self.user.username} ({self.role})"


def role_of(user) -> str | None:
    if not user or not user.is_authenticated:
        return None
    profile = getattr(user, "profile", None)
    return profile.role if profile else None
