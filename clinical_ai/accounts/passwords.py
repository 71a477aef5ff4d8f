"""A password someone else set is temporary: it opens the change-password form and nothing else.

What this module guarantees, so that an administrator cannot become a clinician by setting the
clinician's password (issue #13):

- Any password set by anyone but its user (the admin site, ``manage.py changepassword``, a shell) marks
  the user's Profile ``password_is_temporary`` and is audited with the actor and the target, never the
  password (``password_set``, from the User ``post_save`` signal, so no entry point is missed).
- Only the user choosing their own, logged in (Django's ``PasswordChangeView``, which asks for the
  current one), clears the mark. The new password must differ from the temporary one, so whoever
  set it no longer knows it; Django's session hash then logs out every other session of the user.
- Until then every request of that user but the change form, login and logout is refused
  (``middleware.PasswordChangeRequiredMiddleware``), and a login with the temporary password is
  audited as such (``signals.audit_login``).

The actor is the logged-in user of the web request being served (``acting``); outside a request
(the command line) there is none, and the event names the operating-system account instead.
"""
import getpass
from contextlib import contextmanager
from contextvars import ContextVar

from clinical_ai.accounts.models import Profile
from clinical_ai.audit.services import record

COMMAND_LINE = "manage.py"  # the audit component of a password set outside any web request

_request = ContextVar("accounts_acting_request", default=None)


@contextmanager
def acting(request):
    """Within this block, passwords saved are set by ``request.user`` (the middleware wraps every request)."""
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


def must_change_password(user) -> bool:
    if not user or not user.is_authenticated:
        return False
    profile = getattr(user, "profile", None)
    return bool(profile and profile.password_is_temporary)


def password_set(user, created: bool) -> None:
    """``user``'s password was just set (Django's hash upgrades at login are not sets). By the user
    themselves: no longer temporary. By anyone else: temporary, and audited."""
    request = _request.get()
    actor = request.user if request is not None and request.user.is_authenticated else None
    if created and actor is None:
        return  # a user made with a password in code or by createsuperuser: no one else is in the picture
    own = actor is not None and actor.pk == user.pk
    was_temporary = Profile.objects.filter(user=user, password_is_temporary=True).exists()
    Profile.objects.filter(user=user).update(password_is_temporary=not own)
    details = {"change": "password", "temporary": not own, "created": created}
    if own:
        details["replaced_temporary"] = was_temporary
    elif actor is None:
        details["os_user"] = _os_user()
    record(action="config-change", actor=actor, request=request, component=COMMAND_LINE,
           object_type="user", object_id=user.pk, details=details)


def temporary_for_a_new_profile(profile, actor) -> bool:
    """A Profile an admin adds for a user who has a password but has never logged in: that password was
    set by someone else (the admin site's add-user form), so it is temporary."""
    user = profile.user
    return user.pk != actor.pk and user.has_usable_password() and user.last_login is None


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
