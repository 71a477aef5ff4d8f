from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django_otp import devices_for_user
from django_otp.forms import OTPAuthenticationFormMixin

from clinical_ai.accounts.models import Role, role_of


class LoginForm(OTPAuthenticationFormMixin, AuthenticationForm):
    """Password first; then, for users with an enrolled authenticator (TOTP), its current code.

    TOTP is optional: an admin enrols a user's device in the admin site, and from then on the
    user's logins need the code too.
    """

    otp_error_messages = dict(OTPAuthenticationFormMixin.otp_error_messages,
                              token_required="Enter your authenticator code.",
                              invalid_token="The authenticator code is wrong or has expired.")
    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_token = forms.CharField(required=False, label="Authenticator code",
                                widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        devices = list(devices_for_user(user)) if user is not None else []
        if devices:
            if not cleaned.get("otp_device"):
                cleaned["otp_device"] = devices[0].persistent_id  # one authenticator per user: no picker
            self.clean_otp(user)
        return cleaned

    def confirm_login_allowed(self, user):
        """Service accounts are API-only: an interface engine's account never opens a web session."""
        super().confirm_login_allowed(user)
        if role_of(user) == Role.SERVICE:
            raise forms.ValidationError("Service accounts use the API with a token; they cannot log in here.",
                                        code="service_account")

    def _update_form(self, user):
        """django-otp would offer a device picker and echo the password back into the page; we do neither."""


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's change form (current password, then the new one twice), refusing to keep the current
    one: a temporary password stays known to whoever set it (``passwords``)."""

    def clean(self):
        cleaned = super().clean()
        new = cleaned.get("new_password1")
        if new and self.user.check_password(new):
            self.add_error("new_password2", forms.ValidationError(
                "Choose a password different from the one you have now.", code="password_same"))
        return cleaned
