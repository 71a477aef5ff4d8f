from rest_framework.authentication import TokenAuthentication, get_authorization_header


class TokenOrBearerAuthentication(TokenAuthentication):
    """DRF token auth that accepts ``Authorization: Token <key>`` and ``Bearer <key>``."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if parts and parts[0].lower() == b"bearer":
            if len(parts) != 2:
                return super().authenticate(request)  # the same clear error as for Token
            return self.authenticate_credentials(parts[1].decode(errors="replace"))
        return super().authenticate(request)
