"""Session and caching rules for every response of the web app."""
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control

from clinical_ai.accounts import passwords

# Sent by the pages' own background refresh (documents/live.js): not the user's activity.
LIVE_REFRESH_HEADER = "X-Live-Refresh"


class IdleSessionMiddleware(SessionMiddleware):
    """Django's sessions, where a background refresh does not extend an idle session.

    With ``SESSION_SAVE_EVERY_REQUEST`` each request pushes the expiry forward; a page left open
    would otherwise keep itself logged in forever by polling.
    """

    def process_response(self, request, response):
        if request.headers.get(LIVE_REFRESH_HEADER) and not request.session.modified:
            return response
        return super().process_response(request, response)


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every response the app makes (static files are served
    before this): pages and API answers carry document content, which no browser or proxy may keep."""

    def __init__(self, get_response):
        # settings.MIDDLEWARE lists this class; the password gate runs inside it, after authentication.
        self.get_response = PasswordChangeRequiredMiddleware(get_response)

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response


class PasswordChangeRequiredMiddleware:
    """A user whose password someone else set reaches only the change-password form (``passwords``).

    Pages redirect there; the API, background refreshes and form posts get a 403 that shows nothing.
    Every request also runs inside ``passwords.acting`` so a password saved while serving it is
    attributed to the logged-in user. It needs ``request.user``: it sits after AuthenticationMiddleware
    (chained from NoStoreMiddleware).
    """

    ALLOWED = ("password_change", "login", "logout")
    REFUSAL = "Your password was set by someone else: choose your own at /password first."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with passwords.acting(request):
            if passwords.must_change_password(request.user) and not self.allowed(request):
                return self.refuse(request)
            return self.get_response(request)

    def allowed(self, request) -> bool:
        try:
            return resolve(request.path_info).view_name in self.ALLOWED
        except Resolver404:
            return False

    def refuse(self, request):
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": self.REFUSAL}, status=403)
        if request.method in ("GET", "HEAD") and not request.headers.get(LIVE_REFRESH_HEADER):
            return redirect("password_change")
        return HttpResponse(self.REFUSAL, status=403, content_type="text/plain")
