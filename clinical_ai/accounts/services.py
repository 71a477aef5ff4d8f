from django.contrib.auth import get_user_model
from django.db import transaction

from clinical_ai.accounts.models import ApiToken, Profile
from clinical_ai.audit.services import record


@transaction.atomic
def issue_token(username: str, role: str, unit: str = "default", actor=None, *, keep: bool = False,
                days: float | None = None) -> str:
    """Create the user if needed, set its role, and return a fresh API token (shown once, stored
    as a digest). The user's earlier tokens stop working unless ``keep``. Role changes are audited
    by the Profile signal."""
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save()
    profile = Profile.objects.filter(user=user).first() or Profile(user=user)
    if profile.pk is None or profile.role != role or profile.unit != unit:
        profile.role, profile.unit = role, unit
        profile.save()
    revoked = 0 if keep else ApiToken.objects.filter(user=user).delete()[0]
    token, key = ApiToken.objects.issue(user, days)
    record(action="create", actor=actor, object_type="api-token", object_id=user.pk,
           details={"token": token.prefix, "expires": token.expires_at.isoformat(), "revoked": revoked})
    return key
