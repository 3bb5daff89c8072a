import functools

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.utils.cache import patch_cache_control

# The health check's public address (a contract with load balancers: PRODUCT.md).
HEALTHZ_PATH = "/healthz/"


class HealthCheckMiddleware:
    """Answers /healthz/ before sessions, authentication or the language
    middleware touch the database: with PostgreSQL down they would raise
    first, and the load balancer would get a 500 instead of the health
    check's 503 (issue 15)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == HEALTHZ_PATH:
            from project.views import healthz

            return healthz(request)
        return self.get_response(request)


# Where the pages show someone's personal or health data, whoever asks.
PRIVATE_PREFIXES = ("/appointments/", "/accounts/", "/api/", "/clinic/", "/fleet/", "/campaign/", "/admin/")


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in
    user (by session or, once DRF has authenticated it, by API token) and on
    every response under PRIVATE_PREFIXES: no shared cache (a proxy, a CDN)
    may keep one person's page for the next, and the browser keeps no copy
    on disk for the next user of a shared clinic computer. One rule here,
    rather than a decorator each view could forget."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(PRIVATE_PREFIXES) or _signed_in(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _signed_in(request) -> bool:
    """Whether the answer was made for a signed-in user (the language
    middleware has loaded the user on every request that got that far)."""
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, except that the policy of a response that
    asks for nothing special (no nonce, no per-view override, which is every
    page of ours) is built once per process rather than on every request:
    the settings do not change while the process runs (issue 21)."""

    _OVERRIDES = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt")
    _OVERRIDES_RO = ("_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro")

    def process_response(self, request, response):
        if (
            settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in self._OVERRIDES + self._OVERRIDES_RO)
        ):
            return super().process_response(request, response)
        for header, policy, excluded in _plain_policies():
            if header not in response and not request.path_info.startswith(excluded):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


@functools.cache
def _plain_policies():
    """(header, policy, excluded prefixes) of the enforced and report-only
    policies as the settings give them, for a response without overrides."""
    policies = []
    for header, setting, report_only in (
        (HEADER, "CONTENT_SECURITY_POLICY", False),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
    ):
        policy = build_policy(report_only=report_only)
        if policy:
            excluded = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
            policies.append((header, policy, excluded))
    return tuple(policies)
