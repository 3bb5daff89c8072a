"""Sessions kept in the database beside the user they sign in, read together.

Every signed-in request reads its session, then its user by the id the
session holds: two round trips before the page does anything of its own
(with `cached_db` a Redis GET, then a PostgreSQL query). On this kind of
machine a round trip costs more of the app's CPU than most pages' own work,
and the signed-in home page paid the two where the simplest app it is
measured against pays one (issue 21).

So the session row carries the id of the user it signs in, in a column of its
own (`accounts.Session.user`, set on every save from the session's data), and
the session is read with a join: one query, prepared once per connection
(`sqlprepared`), gives the session and the user's row as it is now. Django's
own `auth.get_user` then runs unchanged (the backend named in the session,
`is_active`, the session hash that a password change invalidates, the
fallback secrets); only its `User.objects.get(pk=...)` is answered with the row
the join read, and only when it is the same user (`read_with_session`). The
row is never older than the request: nothing is kept between requests.

Sessions then no longer touch Redis, so a Redis outage or restart signs nobody
out and costs nothing (docs/deploy.md). Expired rows are removed by Django's
`clearsessions`, which uses this engine; an account's sessions go with it
(`on_delete=CASCADE`).
"""

import contextvars

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError
from django.utils import timezone

import sqlprepared

# Filled by the first read of a session (a new process compiles it once).
_with_user = sqlprepared.Prepared(
    lambda key: SessionStore.get_model_class().objects.select_related("user").filter(session_key=key),
    sample=("sqlprepared-session-key-sample",),
)
# The session whose user Django's get_user is loading, in this thread, now.
_loading = contextvars.ContextVar("session_loading_user", default=None)


def _user_pk(value):
    """The user id a session's data names, as the column holds it; None for none or garbage."""
    if value is None:
        return None
    from django.contrib.auth import get_user_model

    try:
        return get_user_model()._meta.pk.to_python(value)
    except ValidationError:
        return None


class SessionStore(db.SessionStore):
    """Django's database sessions, with the user's id in a column and the
    user's row read with the session (SESSION_ENGINE = "accounts.sessions")."""

    @classmethod
    def get_model_class(cls):
        from accounts.models import Session

        return Session

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        instance.user_id = _user_pk(data.get(SESSION_KEY))
        return instance

    def _get_session_from_db(self):
        # Django's reads the row by key and `expire_date > now()` in SQL; the
        # expiry is compared here instead, so the statement has one value and
        # is prepared once (sqlprepared takes no datetime). Same rows, same answer.
        session = _with_user.first(self.session_key) if self.session_key else None
        if session is None or session.expire_date <= timezone.now():
            self._session_key = None
            return None
        self._user_row = session.user  # None when no one is signed in
        return session


def read_with_session(manager, pk):
    """The user row the session of the request being authenticated was read
    with, if `manager.get(pk=pk)` asks for that one row (UserManager.get);
    given once. None otherwise: the caller reads the row itself.
    (accounts.middleware.AuthenticationMiddleware offers it.)"""
    session = _loading.get()
    if session is None or manager._db is not None:
        return None
    user = session.__dict__.pop("_user_row", None)
    if user is None or type(user) is not manager.model or user.pk != pk:
        return None
    return user


def loading_user_of(session):
    """While Django's get_user runs in this block, `read_with_session` may
    answer with the user row `session` was read with."""
    return _Loading(session)


class _Loading:
    def __init__(self, session):
        self.session = session

    def __enter__(self):
        self.token = _loading.set(self.session)

    def __exit__(self, *exc):
        _loading.reset(self.token)
