from django.shortcuts import redirect

from clinical_ai.accounts.models import Role, role_of
from clinical_ai.accounts.permissions import PEOPLE, role_required

HOME_BY_ROLE = {Role.CLINICIAN: "documents:list", Role.COMPLIANCE: "audit:trail", Role.ADMIN: "admin:index"}


@role_required(*PEOPLE)
def home(request):
    """Where each role starts after logging in."""
    return redirect(HOME_BY_ROLE[role_of(request.user)])
