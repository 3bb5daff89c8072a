"""Rendered HTML kept in the shared cache until the data it shows changes.

A page that many people read and few change (the fleet register, a clinic's
free times) is rendered once and served from the cache until something it
shows is written. Each kind of data has a *generation*: a random token in
the cache, replaced by `bump()` when that data changes. A fragment's key
holds the generations it depends on, so a bump makes every older copy
unreachable at once; they expire by themselves.

`bump()` replaces the token twice: at once, and again when the transaction
commits. Between the two a concurrent reader may still see the old rows and
cache them under the first new token; the second makes that copy
unreachable too, so nothing stale survives the commit.

If the cache forgets a generation (eviction, a Redis restart) a new token
is drawn, which only costs a re-render: a fragment can be missed, never
served stale past its data's next change. Keys also hold a digest of the
code that renders them (templates, Python, translations), so during a
deploy old and new servers never serve each other's HTML. After data is
loaded around the models (a restored dump), `manage.py clear_page_cache`.
"""

import contextlib
import contextvars
import functools
import hashlib
import pickle  # nosec B403 -- our own values, as the cache backend pickles them
import threading
import time
import uuid
from collections import OrderedDict
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from pagecache import csrf

# A safety net: nothing cached outlives this, whatever was bumped or not.
DEFAULT_TIMEOUT = 600
PREFIX = "fragment"
# A generation every fragment depends on, for bump_all().
EVERYTHING = "everything"


# What renders a fragment: the code, the templates and the translations.
CODE_SUFFIXES = (".py", ".html", ".txt", ".mo")
# Besides these, every installed app of ours (an app added later is counted without a change here).
SHARED_DIRS = ("project", "templates", "locale")


def _code_dirs():
    base = settings.BASE_DIR.resolve()
    ours = {Path(config.path).resolve() for config in apps.get_app_configs()}
    ours = sorted(path for path in ours if path.parent == base)  # our apps sit at the root
    return [*ours, *(base / name for name in SHARED_DIRS)]


@functools.cache
def code_version() -> str:
    """A digest of every file that renders a fragment, read once per process."""
    digest = hashlib.blake2b(digest_size=8)
    for folder in _code_dirs():
        for path in sorted(folder.rglob("*")):
            if path.suffix in CODE_SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(settings.BASE_DIR.resolve())).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _generation_key(name: str) -> str:
    return f"{PREFIX}:generation:{name}"


# What cache.get answers for a key it does not hold (a stored None is a value).
_MISSING = object()

# Inside `snapshot()`: the generations read so far in this request, by name.
_seen = contextvars.ContextVar("pagecache_generations_seen", default=None)


@contextlib.contextmanager
def snapshot():
    """Read each generation once for the block, however many fragments ask
    for it: a page drawn from several fragments makes one round trip to the
    cache for their generations, not one each. A bump inside the block (a
    POST that changed data, then draws the page) replaces what was read, so
    the block never sees its own change as unchanged; a bump by another
    process meanwhile shows on the next request, as if it came a moment later."""
    token = _seen.set({})
    try:
        yield
    finally:
        _seen.reset(token)


def generations(*names: str) -> list[str]:
    """The current token of each named data kind, drawing one where missing."""
    seen = _seen.get()
    wanted = [name for name in dict.fromkeys(names) if seen is None or name not in seen]
    keys = {name: _generation_key(name) for name in wanted}
    found = cache.get_many(list(keys.values())) if keys else {}
    read = {}
    for name, key in keys.items():
        token = found.get(key)
        if token is None:
            cache.add(key, uuid.uuid4().hex, timeout=None)
            # None only when the cache is unreachable (pagecache.backends):
            # a token of our own makes the fragment a miss, rendered fresh.
            token = cache.get(key) or uuid.uuid4().hex
        read[name] = token
    if seen is not None:
        seen.update(read)
        read = seen
    return [read[name] for name in names]


def bump(*names: str) -> None:
    """Mark the named data as changed: now, and once more after the current
    transaction commits (see above)."""

    def replace():
        tokens = {name: uuid.uuid4().hex for name in names}
        cache.set_many({_generation_key(name): token for name, token in tokens.items()}, timeout=None)
        if (seen := _seen.get()) is not None:
            seen.update(tokens)

    replace()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(replace)


def bump_at_most_every(seconds: int, name: str) -> None:
    """Bump `name` unless it was bumped in the last `seconds`.

    For data that changes many times a second when it matters most (free
    seats on the day bookings open): a bump on every change would make every
    copy a miss. Changes inside the window show when the fragments that
    missed them expire, so give those a timeout of a few seconds: that is
    how old a copy can be during a burst. Outside a burst every change shows
    at once."""
    if cache.add(f"{PREFIX}:bumped-recently:{name}", 1, timeout=seconds):
        bump(name)


def bump_all() -> None:
    """Forget every cached fragment: after data was loaded around the models
    (COPY, a restored dump, the demo seed)."""
    bump(EVERYTHING)


def fragment_key(kind: str, depends_on: tuple[str, ...], *vary_on) -> str:
    """The cache key of a fragment of `kind`, for the current generations of
    the data it shows, the active language and today's date (dates and
    "expires in N days" are rendered into it), and whatever else it varies on."""
    parts = [code_version(), *generations(EVERYTHING, *depends_on), translation.get_language()]
    parts.append(timezone.localdate().isoformat())
    parts += [str(value) for value in vary_on]
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()
    return f"{PREFIX}:{kind}:{digest}"


def cached_html(kind: str, depends_on: tuple[str, ...], vary_on: tuple, render, timeout: int = DEFAULT_TIMEOUT) -> str:
    """The fragment from the cache, or `render()` (a callable returning its
    HTML) stored there. Whatever `render` reads must be named in
    `depends_on` (the data) or `vary_on` (the request: query string, user)."""
    return cached_value(kind, depends_on, vary_on, render, timeout)


def cached_value(kind: str, depends_on: tuple[str, ...], vary_on: tuple, compute, timeout: int = DEFAULT_TIMEOUT):
    """As cached_html, for any picklable value (None included): figures a page
    draws in its own way for each reader (forms, CSRF tokens, the reader's
    language), but that are the same for everyone who may see them."""
    if settings.DEBUG:
        return compute()  # make run: an edited template or view shows at once
    key = fragment_key(kind, depends_on, *vary_on)
    value = _kept_here(key)
    if value is not _MISSING:
        return value
    read_with_ttl = getattr(cache, "get_with_ttl", None)
    value, seconds_left = read_with_ttl(key, _MISSING) if read_with_ttl else (cache.get(key, _MISSING), None)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, timeout)
        seconds_left = timeout
    _keep_here(key, value, seconds_left)
    return value


# The fragments this process read or drew lately, in its memory, in front of
# the shared cache. A fragment's key names the generations of its data, the
# code, the language and the day: a copy can become unreachable, never stale,
# so the one here is as good as Redis's, without the round trip (one to three
# a page). Kept pickled, so each reader gets its own copy as from Redis, and
# only as long as Redis keeps it (a fragment of the free seats lives seconds).
LOCAL_BYTES = 4 * 1024 * 1024
_local: OrderedDict[str, tuple[float, float, bytes]] = OrderedDict()
_local_size = 0
_local_lock = threading.Lock()
# The wall clock, as Redis's own expiry (and a test's time travel) counts; a
# clock set back makes a copy a miss rather than older than it should be.
_clock = time.time


def _kept_here(key: str):
    with _local_lock:
        entry = _local.get(key)
        if entry is None:
            return _MISSING
        kept_at, expires, data = entry
        if not kept_at <= _clock() < expires:
            _forget_here(key)
            return _MISSING
        _local.move_to_end(key)
    return pickle.loads(data)  # noqa: S301  # nosec B301 -- pickled by this process


def _keep_here(key: str, value, seconds) -> None:
    """Keep `value` for `seconds` (None: how long is not known, so not kept)."""
    global _local_size
    if not seconds or seconds <= 0:
        return
    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    if len(data) > LOCAL_BYTES // 8:
        return
    with _local_lock:
        _forget_here(key)
        now = _clock()
        _local[key] = (now, now + seconds, data)
        _local_size += len(data)
        while _local_size > LOCAL_BYTES:
            _oldest, (_kept_at, _expires, dropped) = _local.popitem(last=False)
            _local_size -= len(dropped)


def _forget_here(key: str) -> None:
    global _local_size
    entry = _local.pop(key, None)
    if entry is not None:
        _local_size -= len(entry[2])


def forget_kept_here() -> None:
    """Empty this process's copies (tests)."""
    global _local_size
    with _local_lock:
        _local.clear()
        _local_size = 0


# Stands for the reader's CSRF token in a kept fragment drawn for one reader
# (render it with {"csrf_token": CSRF_TOKEN}); with_csrf_token puts theirs in.
CSRF_TOKEN = "csrf-token-of-the-reader"  # noqa: S105  # nosec B105 -- a placeholder, not a secret


def with_csrf_token(request, html: str):
    """A kept fragment (our own HTML) with this reader's own CSRF token put in."""
    if CSRF_TOKEN in html:
        html = html.replace(CSRF_TOKEN, csrf.token(request))
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 -- our own rendered HTML
