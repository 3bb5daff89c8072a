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
