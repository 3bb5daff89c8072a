import logging
import sys

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.http import require_safe

from accounts.roles import Role
from pagecache import shell
from pagecache.anonymous import same_for_every_visitor

logger = logging.getLogger(__name__)

# How long a visitor is asked to wait when the database is unreachable.
RETRY_AFTER_SECONDS = 60


# Where a signed-in user whose only work role is one of these lands after
# signing in: their work, not the booking page. Someone with two roles, or
# none, gets the home page, which shows a card for each.
LANDINGS = {Role.DRIVER: "fleet:me", Role.CLINIC_STAFF: "clinic:checkin"}


def work_page(user) -> str | None:
    """The URL name of `user`'s work page, when they have exactly one work role that has one."""
    if not user.is_authenticated or user.is_superuser:
        return None
    held = [role for role in Role if role in user.role_names]
    if len(held) == 1 and held[0] in LANDINGS:
        return LANDINGS[held[0]]
    return None


@same_for_every_visitor
@require_safe
def home(request):
    # A driver's home is their truck and next trip; clinic staff keep the
    # home page (they book for themselves too) and land on the desk after
    # signing in (landing).
    if work_page(request.user) == LANDINGS[Role.DRIVER]:
        return redirect(LANDINGS[Role.DRIVER])
    if request.user.is_authenticated:
        return shell.render(request, "home.html")  # the same for everyone of a language and roles, but the name
    return render(request, "home.html")


@same_for_every_visitor
@require_safe
def privacy(request):
    return render(request, "pages/privacy.html")


@same_for_every_visitor
@require_safe
def accessibility(request):
    return render(request, "pages/accessibility.html")


@same_for_every_visitor
@require_safe
def help_page(request):
    return render(request, "pages/help.html")


@require_safe
def landing(request):
    """Where signing in leads (LOGIN_REDIRECT_URL): each role's work page, else home."""
    return redirect(work_page(request.user) or "home")


@require_safe
def favicon(request):
    # Resolved per request: the hashed name exists only once static files are collected.
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return "down"
    return "ok"


def _cache_state() -> str:
    # The shared Redis cache can say whether it answers; a local-memory cache
    # (one server, no REDIS_URL) is always there.
    ping = getattr(cache, "ping", None)
    if ping is None:
        return "ok"
    return "ok" if ping() else "down"


@never_cache
@xframe_options_deny
@require_safe
def healthz(request):
    """200 when the database answers a query, 503 when it does not, for
    everyone; the body names the state of each part, so a monitor can tell
    a cache outage (the site degrades, still 200) from a database outage.

    Served by project.middleware.HealthCheckMiddleware before anything else
    can touch the database. Details of a failure go to the log only.
    """
    state = {"database": _database_state(), "cache": _cache_state()}
    return JsonResponse(state, status=200 if state["database"] == "ok" else 503)


def server_error(request):
    """The 500 page, except when the database is unreachable: then a 503 that
    says so and when to try again (the app reconnects by itself; nothing of
    the error is shown)."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        html = loader.get_template("503.html").render()
        response = HttpResponse(html, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)
