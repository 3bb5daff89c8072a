from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.functional import LazyObject, SimpleLazyObject, empty
from django.utils.translation import gettext as _

from accounts import authz, sessions
from accounts.roles import is_staff_member

# Account pages (sign out, set up two-factor, change password, profile) stay
# reachable, or a staff member could never get out of the redirect.
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz/", "/i18n/")
# Except where API tokens are made: a token must not be minted without it.
GUARDED_PREFIXES = ("/accounts/tokens/",)


MFA_MESSAGE = (
    "Your role gives access to other people's records, so it needs two-factor "
    "authentication. Set up an authenticator app to continue."
)


class StaffMFAMiddleware:
    """Sends a staff member without two-factor authentication to set it up
    before any other page works: a stolen password alone must not be enough
    to check people in or edit the fleet register."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.STAFF_MFA_REQUIRED
            and (request.path.startswith(GUARDED_PREFIXES) or not request.path.startswith(EXEMPT_PREFIXES))
            and is_staff_member(request.user)
            and not authz.mfa_enabled(request.user)
        ):
            if request.path.startswith("/api/"):
                # A session on the API gets the API's error, not a redirect.
                # (Token calls are checked by api.authentication.)
                return JsonResponse({"error": {"code": "mfa_required", "message": _(MFA_MESSAGE)}}, status=403)
            messages.warning(
                request,
                _(
                    "Your role gives access to other people's records, so it needs two-factor "
                    "authentication. Set up an authenticator app to continue."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def unwrapped(user):
    """The user a loaded `request.user` (a lazy wrapper) stands for."""
    if isinstance(user, LazyObject) and user._wrapped is not empty:
        return user._wrapped
    return user


class UserLanguageMiddleware:
    """Signed in, pages speak the language kept on the user, whatever the
    browser or the language cookie of this device says.

    Runs after LocaleMiddleware (which picked the cookie's or the browser's
    language) and after AuthenticationMiddleware. Chosen over setting the
    cookie at login because the choice then follows the person to every
    device at once, and the pages always match the emails we send them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            # Loaded now, every page asks for it: the rest of the request
            # reads the user itself, not through the lazy wrapper's proxy
            # (a hundred-odd attribute reads per page, issue 21).
            user = request.user = unwrapped(user)
        if user.is_authenticated and user.language and user.language != request.LANGUAGE_CODE:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


def get_user(request):
    """`django.contrib.auth.get_user`, cached on the request as Django's
    middleware does, with the user row the session was read with on offer
    (accounts.sessions: one query for both)."""
    if not hasattr(request, "_cached_user"):
        with sessions.loading_user_of(request.session):
            request._cached_user = auth.get_user(request)
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, whose lazy `request.user` takes the user read with the session."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))
