from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django_otp import devices_for_user
from django_otp.forms import OTPAuthenticationFormMixin


class LoginForm(OTPAuthenticationFormMixin, AuthenticationForm):
    """Password first; then, for users with an enrolled authenticator (TOTP), its current code.

    TOTP is optional: an admin enrols a user's device in the admin site, and from then on the
    user's logins need the code too.
    """

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

    def _update_form(self, user):
        """django-otp would offer a device picker and echo the password back into the page; we do neither."""
