from django.contrib import messages
from django.contrib.auth.views import PasswordChangeView
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator

from clinical_ai.accounts import passwords
from clinical_ai.accounts.forms import OwnPasswordChangeForm
from clinical_ai.accounts.models import Role, role_of
from clinical_ai.accounts.permissions import PEOPLE, role_required

HOME_BY_ROLE = {Role.CLINICIAN: "documents:list", Role.COMPLIANCE: "audit:trail", Role.ADMIN: "admin:index"}


@role_required(*PEOPLE)
def home(request):
    """Where each role starts after logging in."""
    return redirect(HOME_BY_ROLE[role_of(request.user)])


@method_decorator(role_required(*PEOPLE), name="dispatch")
class PasswordChange(PasswordChangeView):
    """The user chooses their own password; one someone else set stops being temporary (``passwords``,
    through the User save signal), and the user goes on to their start page. People only: service
accounts have no web password."""

    form_class = OwnPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def get_context_data(self, **kwargs):
        return super().get_context_data(temporary=passwords.must_change_password(self.request.user), **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed.")
        return response
