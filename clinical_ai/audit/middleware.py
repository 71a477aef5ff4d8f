import uuid


class RequestContextMiddleware:
    """Gives every request an id, echoed in ``X-Request-ID``, so audit events and logs correlate."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = str(uuid.uuid4())
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response
