from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.authtoken.models import Token

from clinical_ai.accounts.models import Profile
from clinical_ai.audit.services import record


@transaction.atomic
def issue_token(username: str, role: str, unit: str = "default", actor=None) -> str:
    """Create the user if needed, set its role, and replace its API token with a fresh one."""
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save()
    profile, _ = Profile.objects.get_or_create(user=user)
    if profile.role != role or profile.unit != unit or created:
        profile.role, profile.unit = role, unit
        profile.save()
        record(action="config-change", actor=actor, object_type="user", object_id=user.pk,
               details={"change": "role", "role": role, "unit": unit, "created": created})
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    record(action="create", actor=actor, object_type="api-token", object_id=user.pk)
    return token.key
