from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from clinical_ai.accounts.models import ApiToken

KEYWORDS = (b"token", b"bearer")


class TokenOrBearerAuthentication(BaseAuthentication):
    """``Authorization: Token <key>`` or ``Bearer <key>``, checked against the stored digests."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Invalid token header: send 'Token <key>'."))
        token = ApiToken.objects.for_key(parts[1].decode(errors="replace"))
        if token is None or not token.user.is_active:
            raise AuthenticationFailed(_("Invalid token."))
        if token.expired:
            raise AuthenticationFailed(_("Token expired: ask an administrator for a new one."))
        return token.user, token

    def authenticate_header(self, request):
        return "Token"
