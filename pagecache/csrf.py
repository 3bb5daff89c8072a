"""The CSRF token for a kept page, masked in microseconds.

A page kept whole or drawn once (pagecache.anonymous, .shell, .fragments)
still puts each reader's own CSRF token in its forms, as `{% csrf_token %}`
would: Django's `get_token` masks the cookie's secret with a fresh random
mask on every response, so the token in the page never repeats (BREACH).
Django draws that mask one character at a time through `secrets.choice`:
about 60 microseconds, a tenth of what the whole signed-in home page costs
once kept (`make profile`, issue 21). `token` gives the same token, in the
same format, with the same side effect, from one call to the system's random
source; Django's middleware checks it as it checks its own (tests/test_csrf_token.py).
"""

import secrets

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token

_BASE = len(CSRF_ALLOWED_CHARS)
_INDEX = {char: n for n, char in enumerate(CSRF_ALLOWED_CHARS)}
# Random bytes under this map evenly onto the letters; the rest are dropped.
_EVEN = 256 - 256 % _BASE


def _random_letters() -> list[int]:
    """CSRF_SECRET_LENGTH letters (as indexes) from the system's random source."""
    letters: list[int] = []
    while len(letters) < CSRF_SECRET_LENGTH:
        letters += [byte % _BASE for byte in secrets.token_bytes(CSRF_SECRET_LENGTH + 8) if byte < _EVEN]
    return letters[:CSRF_SECRET_LENGTH]


def token(request) -> str:
    """What `django.middleware.csrf.get_token(request)` returns, and its side
    effects: the cookie is sent again to renew it, or made when the visitor
    has none (a new secret, as Django's middleware then sets it)."""
    chars = CSRF_ALLOWED_CHARS
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = "".join(chars[n] for n in _random_letters())
        request.META["CSRF_COOKIE"] = secret
    elif len(secret) != CSRF_SECRET_LENGTH or not all(char in _INDEX for char in secret):
        return get_token(request)  # not a secret Django gave: leave it to Django
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _random_letters()
    return "".join(chars[n] for n in mask) + "".join(
        chars[(_INDEX[char] + n) % _BASE] for char, n in zip(secret, mask, strict=True)
    )
