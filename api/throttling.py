"""Request limits per user and per token. Rates are read from settings at
each request (DRF's own classes read them once, at import)."""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from api.models import ApiToken


class _LiveRate:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonymousThrottle(_LiveRate, AnonRateThrottle):
    pass


class PerUserThrottle(_LiveRate, UserRateThrottle):
    """All of a user's requests, by session or by any of their tokens."""


class PerTokenThrottle(_LiveRate, SimpleRateThrottle):
    """Each token on its own, so one runaway script does not use up its
    owner's whole allowance at once."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
