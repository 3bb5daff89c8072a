"""The request being served, so `audit.record` knows who and from where
without every service taking a request argument."""

from contextvars import ContextVar

from allauth.account.adapter import get_adapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

current_request = ContextVar("audit_current_request", default=None)


class AuditContextMiddleware:
    """Makes the request visible to `audit.record` while it is served.
    Placed after AuthenticationMiddleware: the actor is request.user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


def client_ip(request) -> str | None:
    """The client's address as allauth's rate limits see it: REMOTE_ADDR, or
    the X-Forwarded-For hop that ALLAUTH_TRUSTED_PROXY_COUNT names. Worked
    out once per request (parsing the headers and the address is a tenth of
    what a booking's audit row costs)."""
    if request is None:
        return None
    if "_audit_client_ip" not in request.__dict__:
        try:
            request._audit_client_ip = get_adapter(request).get_client_ip(request)
        except (PermissionDenied, ImproperlyConfigured):
            request._audit_client_ip = None
    return request._audit_client_ip
