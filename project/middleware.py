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
