"""The shared cache, when it is down, degrades and never fails a page.

Django's Redis backend raises on every call while Redis is unreachable, and
sessions, the page cache and the rate limits all call it on every request:
one Redis outage was every signed-in page answering 500 (issue 15). Here a
call that fails marks Redis down for this process for a few seconds; until it
answers again:

- reads miss and writes are dropped, so page parts are rendered fresh
  (sessions never come from here: accounts.sessions);
- the rate limits (allauth's and the API's throttles) count in this process's
  memory: a per-process limit, looser across several processes, never none;
- one warning is logged when it goes down and one line when it is back.

When Redis answers again nothing needs a restart. Page parts cached before the
outage may have missed a change made during it, so the first process to see
Redis back forgets them all (`fragments.bump_all`).
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Seconds between attempts while Redis is down: a dead Redis costs a request
# at most one failed connection every this often, not one per cache call.
RETRY_AFTER = 5.0
# Keys that must keep counting while Redis is down: allauth's rate limits
# ("allauth:rl:...") and DRF's throttles ("throttle_...").
COUNTED_LOCALLY = ("allauth:rl:", "throttle_")
_MISSING = object()


class SharedClientRedisCacheClient(RedisCacheClient):
    """Django's client makes a new redis.Redis object for every cache call;
    on a page that reads the cache a dozen times that was a sixth of its
    time. A redis.Redis is safe to share between threads (its connection
    pool hands each command a connection), so one is kept per pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._creating = threading.Lock()

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            # The first calls of a process come from several threads at once:
            # one makes the pool and its client, the others wait for them.
            with self._creating:
                client = self._clients.get(index)
                if client is None:
                    client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
        self._local = LocMemCache("vaxfleet-cache-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})
        self._down_until = 0.0
        self._down = False
        self._state = threading.Lock()
        self._creating = threading.Lock()

    @property
    def _cache(self):
        """Django's client of this cache, made once even when the first calls
        come from several threads at once (Django's cached_property may make two)."""
        client = self.__dict__.get("_shared_client")
        if client is None:
            with self._creating:
                client = self.__dict__.get("_shared_client")
                if client is None:
                    client = self.__dict__["_shared_client"] = self._class(self._servers, **self._options)
        return client

    # -- state ---------------------------------------------------------

    def _went_down(self, error) -> None:
        with self._state:
            self._down_until = time.monotonic() + RETRY_AFTER
            first = not self._down
            self._down = True
        if first:
            logger.warning(
                "The cache (Redis) is unreachable (%s): pages render without it, "
                "rate limits count per process until it is back; retrying every %.0f s",
                error,
                RETRY_AFTER,
            )

    def _came_back(self) -> None:
        with self._state:
            if not self._down:
                return
            self._down = False
        logger.warning("The cache (Redis) is back: shared rate limits and cached pages resume")
        from pagecache import fragments

        fragments.bump_all()

    @property
    def is_down(self) -> bool:
        return self._down and time.monotonic() < self._down_until

    def ping(self) -> bool:
        """Ask Redis now, whatever the state (the health check)."""
        try:
            self._cache.get_client(write=False).ping()
        except (RedisError, OSError) as error:
            self._went_down(error)
            return False
        self._came_back()
        return True

    def _may_try(self) -> bool:
        """Up: always. Down: once RETRY_AFTER has passed, one caller tries
        Redis again and the others keep falling back, so a dead Redis costs
        one failed connection per RETRY_AFTER, not one per thread."""
        if not self._down:
            return True
        with self._state:
            now = time.monotonic()
            if now < self._down_until:
                return False
            self._down_until = now + RETRY_AFTER
            return True

    def _on_redis(self, work):
        """`work()` against Redis, when it may be tried: (True, its result),
        or (False, None) while Redis is down or when this call finds it down."""
        if self._may_try():
            try:
                result = work()
            except (RedisError, OSError) as error:
                self._went_down(error)
            else:
                if self._down:
                    self._came_back()
                return True, result
        return False, None

    def _call(self, name, key, fallback, *args, **kwargs):
        reached, result = self._on_redis(lambda: getattr(super(ResilientRedisCache, self), name)(*args, **kwargs))
        if reached:
            return result
        if key is not None and key.startswith(COUNTED_LOCALLY):
            return getattr(self._local, name)(*args, **kwargs)
        if fallback is _MISSING:
            raise ValueError(f"Key {key!r} not found (the cache is unreachable)")
        return fallback

    def _pipelined(self, commands):
        """Redis commands, each (name, cache key, *arguments[, {keyword
        arguments}]), in one round trip: (True, their answers), or (False,
        None) as _on_redis."""

        def work():
            pipe = self._cache.get_client(commands[0][1], write=True).pipeline(transaction=False)
            for name, key, *arguments in commands:
                options = arguments.pop() if arguments and isinstance(arguments[-1], dict) else {}
                getattr(pipe, name)(self.make_and_validate_key(key), *arguments, **options)
            return pipe.execute()

        return self._on_redis(work)

    # -- counting and reading with expiry --------------------------------

    def count_hit(self, key, window: int, previous_key):
        """Add one to the counter `key` (kept 2 x `window` seconds) and read
        the counter `previous_key`, in one round trip (INCR, EXPIRE and GET).
        Returns (this one, the previous one). While Redis is down the
        counters are this process's (ratelimits)."""
        reached, answers = self._pipelined([("incr", key), ("expire", key, 2 * window), ("get", previous_key)])
        if not reached:
            return count_hit(self._local, key, window, previous_key)
        current, _expiry, previous = answers
        return int(current), int(previous or 0)

    def set_many_add_and_get_many(self, values: dict, adds: dict[str, int], keys) -> tuple[set[str], dict, dict]:
        """`set_many(values, timeout=None)`, `add(key, 1, seconds)` for each of
        `adds` and `get_many(keys)`, in one round trip (SETs, SET NX EX with a
        PTTL each, GETs): (the keys of `adds` that were added, what get_many
        would answer, reading what the SETs before it wrote, and the seconds
        each key of `adds` has left, None where Redis gave none). While Redis
        is down nothing is written, added, found or known
        (pagecache.fragments' bumps, sent alone or with a page's read of its
        generations)."""
        serializer = self._cache._serializer
        commands = [("set", key, serializer.dumps(value)) for key, value in values.items()]
        for key, seconds in adds.items():
            commands += [("set", key, serializer.dumps(1), {"ex": seconds, "nx": True}), ("pttl", key)]
        keys = list(keys)
        commands += [("get", key) for key in keys]
        if not commands:
            return set(), {}, {}
        reached, answers = self._pipelined(commands)
        if not reached:
            return set(), {}, {}
        written = len(values) + 2 * len(adds)
        added, left = set(), {}
        for key, answer, milliseconds in zip(
            adds, answers[len(values) : written : 2], answers[len(values) + 1 : written : 2], strict=True
        ):
            if answer:
                added.add(key)
            left[key] = milliseconds / 1000 if milliseconds > 0 else None
        read = zip(keys, answers[written:], strict=True)
        found = {key: serializer.loads(value) for key, value in read if value is not None}
        return added, found, left

    def get_with_ttl(self, key, default=None):
        """(value, seconds it has left) in one round trip (GET and PTTL);
        (default, None) when missing or while Redis is down."""
        reached, answers = self._pipelined([("get", key), ("pttl", key)])
        if not reached or answers[0] is None:
            return default, None
        raw, milliseconds = answers
        return self._cache._serializer.loads(raw), (milliseconds / 1000 if milliseconds > 0 else None)

    # -- the cache API -------------------------------------------------

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, None, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, False, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, False, key, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, False, key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, _MISSING, key, delta, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", None, {}, keys, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", None, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, None, keys, version)

    def clear(self):
        self._local.clear()
        return self._call("clear", None, None)


def count_hit(cache, key, window: int, previous_key):
    """`ResilientRedisCache.count_hit` for any other cache (the local memory
    of `make run` and the tests, or Redis's stand-in while it is down)."""
    cache.add(key, 0, 2 * window)
    try:
        current = cache.incr(key)
    except ValueError:  # gone between the two calls (expired, culled)
        cache.set(key, 1, 2 * window)
        current = 1
    return current, int(cache.get(previous_key) or 0)
