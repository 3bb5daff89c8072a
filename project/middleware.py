from django.urls import reverse


class HealthCheckMiddleware:
    """Answers /healthz/ before sessions, authentication or the language
    middleware touch the database: with PostgreSQL down they would raise
    first, and the load balancer would get a 500 (or, cached, a stale 200)
    instead of the health check's 503 (issue 15)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.path = None

    def __call__(self, request):
        if self.path is None:
            self.path = reverse("healthz")
        if request.path == self.path:
            from project.views import healthz

            return healthz(request)
        return self.get_response(request)
