import json

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from clinical_ai.accounts import passwords
from clinical_ai.accounts.models import Profile, Role
from clinical_ai.audit.services import record

ADMIN_ACTIONS = {ADDITION: "create", CHANGE: "update"}  # any other flag is a deletion
UNKNOWN_USER = "unknown user"  # the actor of a failed login for a name no account has


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    """A login, marked when it used a temporary password (one someone else set: see ``passwords``)."""
    details = {"temporary_password": True} if passwords.must_change_password(user) else None
    record(action="login", actor=user, request=request, object_type="user", object_id=user.pk, details=details)


@receiver(post_save, sender=get_user_model())
def a_password_set_by_someone_else_is_temporary(sender, instance, created, **kwargs):
    # Django's own test of "the password changed" (AbstractBaseUser.save): set_password() keeps the raw
    # password until the save; a hash upgrade at login clears it first. Read here, never stored.
    if instance._password is not None:
        passwords.password_set(instance, created)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record(action="logout", actor=user, request=request, object_type="user", object_id=user.pk)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # The attempted username is never stored (it may be a password typed in the wrong box).
    known = get_user_model().objects.filter(username=credentials.get("username", "")).first()
    record(action="login-failed", outcome="failure", actor=known, request=request, object_type="user",
           object_id=known.pk if known else "", component=UNKNOWN_USER)


@receiver(pre_save, sender=Profile)
def remember_the_previous_role(sender, instance, **kwargs):
    previous = Profile.objects.filter(pk=instance.pk).values("role", "unit").first() if instance.pk else None
    instance._before = previous


@receiver(post_save, sender=Profile)
def audit_role_change(sender, instance, created, **kwargs):
    """Every change of a role or unit, from any entry point, with its value before and after."""
    before, after = getattr(instance, "_before", None), {"role": instance.role, "unit": instance.unit}
    if before != after:
        record(action="config-change", actor=getattr(instance, "changed_by", None), object_type="user",
               object_id=instance.user_id,
               details={"change": "role", "before": before, "after": after, "created": created})


@receiver(post_save, sender=Profile)
def admin_role_opens_the_admin_site(sender, instance, **kwargs):
    """The admin role, and only it, may use Django's admin site (users, roles, models, settings)."""
    is_admin = instance.role == Role.ADMIN
    get_user_model().objects.filter(pk=instance.user_id).update(is_staff=is_admin, is_superuser=is_admin)


@receiver(post_save, sender=LogEntry)
def audit_admin_change(sender, instance, created, **kwargs):
    """Every change made in the admin site enters the audit trail, with the names of the fields changed."""
    if created:
        record(action="config-change", actor=instance.user, component="admin",
               object_type=instance.content_type.model if instance.content_type else "",
               object_id=instance.object_id or "",
               details={"via": "admin", "change": ADMIN_ACTIONS.get(instance.action_flag, "delete"),
                        "fields": changed_fields(instance.change_message)})


def changed_fields(change_message: str) -> list[str]:
    """The field names in an admin LogEntry's change message (JSON written by the admin site)."""
    try:
        entries = json.loads(change_message or "[]")
    except ValueError:
        return []
    return sorted({field for entry in entries for field in entry.get("changed", {}).get("fields", [])})
