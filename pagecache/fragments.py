"""Rendered HTML kept in the shared cache until the data it shows changes.

A page that many people read and few change (the fleet register, a clinic's
free times) is rendered once and served from the cache until something it
shows is written. Each kind of data has a *generation*: a random token in
the cache, replaced by `bump()` when that data changes. A fragment's key
holds the generations it depends on, so a bump makes every older copy
unreachable at once; they expire by themselves.

`bump()` inside a transaction replaces the token when the transaction
commits: a token replaced before the commit would let a concurrent reader
cache the old rows under it. Until then the transaction's own reads see a
token of their own for that data (a miss: they render what they just wrote),
and every bump the transaction owes goes to the cache in one round trip at
its commit (nothing on a rollback). Outside a transaction it replaces the
token at once.

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
    owed = _owed(transaction.get_connection())
    mine = owed.tokens if owed is not None else {}  # data this transaction changed: its own tokens
    seen = _seen.get()
    wanted = [name for name in dict.fromkeys(names) if name not in mine and (seen is None or name not in seen)]
    keys = {name: _generation_key(name) for name in wanted}
    batch = _together.get()
    if keys and batch is not None and (batch.tokens or batch.windows):
        # The bumps of the block so far go with this read (one round trip),
        # before it: the read sees them, as it would had they gone first.
        found = _send(*batch.take(), read=list(keys.values()))
    else:
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
    return [mine[name] if name in mine else read[name] for name in names]


class _Owed:
    """The bumps a transaction owes: its own tokens for the data it changed
    (what its reads see until the commit) and the windows of
    `bump_at_most_every`, sent to the cache together when it commits."""

    def __init__(self):
        self.tokens: dict[str, str] = {}
        self.windows: dict[str, int] = {}
        self.hooks: list[tuple[int, object]] = []  # (place in run_on_commit, hook)

    def take(self) -> tuple[list[str], dict[str, int]]:
        """The names and windows owed, owed no more (for _send)."""
        names, windows = list(self.tokens), dict(self.windows)
        self.tokens.clear()
        self.windows.clear()
        return names, windows


def _owed(connection, *, create=False) -> _Owed | None:
    """What the connection's current transaction owes, if it still may.

    Each bump registers a Django on_commit hook that sends everything owed
    (the first to run sends, the rest find nothing): a savepoint rolled back
    drops the hooks registered inside it and leaves the earlier ones, and a
    transaction rolled back drops them all, after which it owes nothing. A
    hook is found again by its place in the list, which the hooks before it
    never leave without it, so this costs no scan of the list."""
    owed = connection.__dict__.get("_fragments_owed")
    if owed is not None:
        hooks = connection.run_on_commit
        while owed.hooks and not (owed.hooks[-1][0] < len(hooks) and hooks[owed.hooks[-1][0]][1] is owed.hooks[-1][1]):
            owed.hooks.pop()  # its savepoint was rolled back
        if not owed.hooks:
            owed = connection.__dict__["_fragments_owed"] = None
    if create:
        if owed is None:
            owed = connection.__dict__["_fragments_owed"] = _Owed()

        def send():
            if connection.__dict__.get("_fragments_owed") is owed:
                connection.__dict__["_fragments_owed"] = None
                _send(*owed.take())

        owed.hooks.append((len(connection.run_on_commit), send))
        transaction.on_commit(send, using=connection.alias)
    return owed


def _send(names, windows: dict[str, int], *, read=()) -> dict:
    """Replace the generations of `names` and open the windows of
    `bump_at_most_every`, in one round trip where the cache can (Redis),
    with the keys of `read` read after them in it (their values are
    returned); the names whose window was not open yet are then bumped too
    (a second round trip, at most once a window). A window this process
    knows to be open is not asked for again (_known_open)."""
    windows = {name: seconds for name, seconds in windows.items() if not _known_open(name)}
    values = {_generation_key(name): uuid.uuid4().hex for name in names}
    adds = {_window_key(name): seconds for name, seconds in windows.items()}
    asked_at = _clock()
    opened, found, left = _set_and_add(values, adds, read)
    for name in windows:
        if (seconds := left.get(_window_key(name))) is not None:
            _open_windows[name] = (asked_at, asked_at + seconds)
    late = [name for name in windows if _window_key(name) in opened and name not in names]
    if late:
        _send(late, {})
        for name in late:
            found.pop(_generation_key(name), None)  # read before this bump: read again by the caller
    if (seen := _seen.get()) is not None:
        seen.update({name: values[_generation_key(name)] for name in names})
    return found


def _set_and_add(values: dict, adds: dict[str, int], read=()) -> tuple[set[str], dict, dict]:
    """(the keys of `adds` added, the values found of `read`, the seconds
    each key of `adds` is known to have left)."""
    together = getattr(cache, "set_many_add_and_get_many", None)
    if together is not None:
        return together(values, adds, read)
    if values:
        cache.set_many(values, timeout=None)
    opened = {key for key, seconds in adds.items() if cache.add(key, 1, timeout=seconds)}
    # A window this call did not open has an end that this API does not tell.
    return opened, (cache.get_many(list(read)) if read else {}), {key: adds[key] for key in opened}


# The windows of bump_at_most_every this process knows to be open: name ->
# (when it asked, by _clock; when the window closes at the latest). Redis
# counts the window's seconds from before the answer that told them, so the
# window closes here no later than there. While it is open, another change
# would only find it open: nothing is asked, which spares a round trip to the
# cache on every booking during a burst (one per window and process instead).
# Should Redis forget the window early (a restart), a change inside it shows
# when the fragments expire, as any change inside a window does.
_open_windows: dict[str, tuple[float, float]] = {}


def _known_open(name: str) -> bool:
    asked_at, closes = _open_windows.get(name, (0.0, 0.0))
    return asked_at <= _clock() < closes


def _window_key(name: str) -> str:
    return f"{PREFIX}:bumped-recently:{name}"


# Inside `together()`: the bumps made outside a transaction, sent at its end.
_together = contextvars.ContextVar("pagecache_bumps_together", default=None)


@contextlib.contextmanager
def together():
    """Outside a transaction, the bumps made in the block (a change written
    as one statement, then its signals) go to the cache in one round trip at
    its end instead of one each, or with the block's first read of
    generations if it comes before (the desk's answer: its check-in's bump
    and the generations of the answer's parts, one round trip). Inside a
    transaction they wait for its commit anyway."""
    owed = _Owed()
    token = _together.set(owed)
    try:
        yield
    finally:
        _together.reset(token)
        if owed.tokens or owed.windows:
            _send(*owed.take())


def bump(*names: str) -> None:
    """Mark the named data as changed: at once, or when the current
    transaction commits (see above)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        if (batch := _together.get()) is not None:
            batch.tokens.update(dict.fromkeys(names, ""))
            return
        _send(names, {})
        return
    owed = _owed(connection, create=True)
    owed.tokens.update({name: uuid.uuid4().hex for name in names})


def bump_at_most_every(seconds: int, name: str) -> None:
    """Bump `name` unless it was bumped in the last `seconds`.

    For data that changes many times a second when it matters most (free
    seats on the day bookings open): a bump on every change would make every
    copy a miss. Changes inside the window show when the fragments that
    missed them expire, so give those a timeout of a few seconds: that is
    how old a copy can be during a burst. Outside a burst every change shows
    at once. Inside a transaction the window is asked for at its commit,
    with its other bumps."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        if (batch := _together.get()) is not None:
            batch.windows[name] = seconds
            return
        _send([], {name: seconds})
        return
    _owed(connection, create=True).windows[name] = seconds


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
    """Empty this process's copies and what it knows of the windows (tests)."""
    global _local_size
    with _local_lock:
        _local.clear()
        _local_size = 0
    _open_windows.clear()


# Stands for the reader's CSRF token in a kept fragment drawn for one reader
# (render it with {"csrf_token": CSRF_TOKEN}); with_csrf_token puts theirs in.
CSRF_TOKEN = "csrf-token-of-the-reader"  # noqa: S105  # nosec B105 -- a placeholder, not a secret


def with_csrf_token(request, html: str):
    """A kept fragment (our own HTML) with this reader's own CSRF token put in."""
    if CSRF_TOKEN in html:
        html = html.replace(CSRF_TOKEN, csrf.token(request))
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 -- our own rendered HTML
