import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    COMPLIANCE = "compliance", "Compliance officer"
    ADMIN = "admin", "Administrator"
    SERVICE = "service", "Service account (interface engine)"


class Profile(models.Model):
    """What a user may do (role), whose documents they may see (unit), and whether their password is
    one someone else set (``password_is_temporary``, see ``accounts.passwords``)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CLINICIAN)
    unit = models.CharField(max_length=64, default="default")
    password_is_temporary = models.BooleanField(
        default=False, editable=False,
        help_text="set by someone else (admin site, manage.py changepassword): the user must choose their own "
                  "before seeing anything")

    def __str__(self):
        return f"{self.user.username} ({self.role})"


def role_of(user) -> str | None:
    if not user or not user.is_authenticated:
        return None
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def token_digest(key: str) -> str:
    """What the database keeps of an API token: its SHA-256. A token is 256 random bits, so a
    fast hash is enough (nothing to guess), and lookups stay one indexed query."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenManager(models.Manager):
    def issue(self, user, days: float | None = None) -> tuple["ApiToken", str]:
        """A new token for ``user``: (the stored row, the key). The key is never stored: show it once."""
        key = secrets.token_urlsafe(32)
        lifetime = timedelta(days=settings.API_TOKEN_DAYS if days is None else days)
        token = self.create(user=user, digest=token_digest(key), prefix=key[:6],
                            expires_at=timezone.now() + lifetime)
        return token, key

    def for_key(self, key: str) -> "ApiToken | None":
        return self.select_related("user", "user__profile").filter(digest=token_digest(key)).first()


class ApiToken(models.Model):
    """An API token, kept as its digest with an expiry. ``prefix`` (6 characters) tells tokens apart."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    objects = ApiTokenManager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user.username} {self.prefix}…"

    @property
    def expired(self) -> bool:
        return timezone.now() >= self.expires_at
