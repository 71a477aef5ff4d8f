"""Session and caching rules for every response of the web app."""
from django.contrib.sessions.middleware import SessionMiddleware
from django.utils.cache import patch_cache_control

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
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response
