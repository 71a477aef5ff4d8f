"""Who may do what: the roles' rules in one place, for DRF views and Django views alike.

Denials by an authenticated user are audited (outcome ``denied``), so a compliance officer
sees someone probing beyond their role. A denial is an answer, not an error: it is rendered as
a 403 page, not raised, so the logs get one warning line and no traceback.
"""
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from rest_framework.permissions import BasePermission

from clinical_ai.accounts.middleware import LIVE_REFRESH_HEADER
from clinical_ai.accounts.models import Role, role_of
from clinical_ai.audit.services import record


def has_role(*roles):
    """A DRF permission class that admits only the given roles."""

    class HasRole(BasePermission):
        message = "Your role does not allow this."

        def has_permission(self, request, view):
            allowed = role_of(request.user) in roles
            if not allowed and request.user.is_authenticated:
                record_denial(request)
            return allowed

    HasRole.__name__ = "HasRole_" + "_".join(roles)
    return HasRole


def role_required(*roles, others_go_home: bool = False):
    """A Django view decorator: the login page for anonymous users, 403 for the wrong role.

    ``others_go_home``: a page people land on (``/``, the admin's "View site") sends the other
    roles to their own start page instead.
    """

    def decorator(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                if request.headers.get(LIVE_REFRESH_HEADER):  # a page's background refresh: no login form
                    return HttpResponse("Your session has ended.", status=401, content_type="text/plain")
                return redirect_to_login(request.get_full_path())
            if role_of(request.user) not in roles:
                if others_go_home and role_of(request.user) in PEOPLE:
                    return redirect("home")
                record_denial(request)
                return render(request, "403.html", status=403)
            return view(request, *args, **kwargs)

        return guarded

    return decorator


def record_denial(request) -> None:
    match = getattr(request, "resolver_match", None)
    record(action="read" if request.method in ("GET", "HEAD") else "update", outcome="denied", request=request,
           object_type="view", object_id=match.view_name if match else "")


PEOPLE = (Role.CLINICIAN, Role.COMPLIANCE, Role.ADMIN)
CanSubmitDocuments = has_role(Role.CLINICIAN, Role.SERVICE)
CanReadDocuments = has_role(Role.CLINICIAN)
# The default for API views that name no permission: any person, never a service token.
IsPerson = has_role(*PEOPLE)
