"""Our own actions' rate limits, one round trip to the cache each.

The limits are allauth's settings (ACCOUNT_RATE_LIMITS: "book": "20/m/user"),
parsed by allauth and answered with its 429 page, as before. allauth counts a
limit as a list of timestamps, under a lock: four cache round trips per
request (take the lock, read, write, free the lock). That was a tenth of a
booking POST's and a check-in POST's CPU (`make profile`), for a limit that
only stops scripts. Here each limit is two counters of fixed windows, the
current one and the one before, counted and read in one pipelined round trip
(pagecache.backends.ResilientRedisCache.count_hit); the previous window
counts for the part of it still inside the sliding window:

    hits = previous x (1 - elapsed part of this window) + this window's

so a burst across a window's edge is still counted. A refused attempt is
counted too: a script that keeps trying stays refused until it stops.
allauth's own actions (login, signup, password reset...) keep allauth's
counting: this only serves the actions below.
"""

import hashlib
import time

from allauth.core import ratelimit as allauth_ratelimit
from allauth.core.internal.ratelimit import get_ip, parse_rates
from django.conf import settings
from django.core.cache import cache

from pagecache import backends

# The actions counted here; any other goes to allauth's counting.
OURS = frozenset({"book", "check_in", "hold_seat", "find_person", "delete_account"})


def _source(request, rate, *, key, user) -> str:
    if rate.per == "ip":
        return "ip:" + get_ip(request)
    if rate.per == "user":
        who = user if user is not None else request.user
        if not who.is_authenticated:
            return "ip:" + get_ip(request)
        return f"user:{who.pk}"
    if rate.per == "key":
        return "key:" + hashlib.sha256(str(key).encode()).hexdigest()
    raise ValueError(rate.per)


def _allowed(request, action, *, key=None, user=None) -> bool:
    now = time.time()
    for rate in parse_rates(settings.ACCOUNT_RATE_LIMITS.get(action)):
        window = int(rate.duration)
        if window < 1:
            continue
        base = f"vaxfleet:rl:{action}:{rate.amount}/{window}:{_source(request, rate, key=key, user=user)}"
        this_window, into = divmod(now, window)
        count = getattr(cache, "count_hit", None)
        args = (f"{base}:{int(this_window)}", window, f"{base}:{int(this_window) - 1}")
        current, previous = count(*args) if count else backends.count_hit(cache, *args)
        if previous * (1 - into / window) + current > rate.amount:
            return False
    return True


def consume(request, *, action: str, key=None, user=None, limit_get: bool = False) -> bool:
    """Count one attempt at `action`: False when it is over its limit."""
    if action not in OURS:
        return allauth_ratelimit.consume(request, action=action, key=key, user=user)
    if request.method == "GET" and not limit_get:
        return True
    return _allowed(request, action, key=key, user=user)


def consume_or_429(request, *, action: str, key=None, user=None, limit_get: bool = False):
    """allauth's consume_or_429 for our actions: None, or the 429 page."""
    if action not in OURS:
        return allauth_ratelimit.consume_or_429(request, action=action, key=key, limit_get=limit_get)
    if consume(request, action=action, key=key, user=user, limit_get=limit_get):
        return None
    return allauth_ratelimit.respond_429(request)
