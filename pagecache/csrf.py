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
# A random byte under _EVEN becomes the letter CSRF_ALLOWED_CHARS[byte % _BASE]
# (each letter as likely as any other); the bytes from _EVEN up are dropped.
_EVEN = 256 - 256 % _BASE
_TO_LETTER = bytes(CSRF_ALLOWED_CHARS.encode()[byte % _BASE] for byte in range(_EVEN)) + bytes(256 - _EVEN)
_DROPPED = bytes(range(_EVEN, 256))
# The cipher's letter for each (secret letter, mask letter), as Django adds them.
_ADD = {
    (a, b): CSRF_ALLOWED_CHARS[(n + m) % _BASE]
    for n, a in enumerate(CSRF_ALLOWED_CHARS)
    for m, b in enumerate(CSRF_ALLOWED_CHARS)
}


def _random_letters() -> str:
    """CSRF_SECRET_LENGTH letters from the system's random source."""
    letters = b""
    while len(letters) < CSRF_SECRET_LENGTH:
        letters += secrets.token_bytes(CSRF_SECRET_LENGTH + 8).translate(_TO_LETTER, _DROPPED)
    return letters[:CSRF_SECRET_LENGTH].decode()


def token(request) -> str:
    """What `django.middleware.csrf.get_token(request)` returns, and its side
    effects: the cookie is sent again to renew it, or made when the visitor
    has none (a new secret, as Django's middleware then sets it)."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = request.META["CSRF_COOKIE"] = _random_letters()
    elif len(secret) != CSRF_SECRET_LENGTH:
        return get_token(request)  # not a secret Django gave: leave it to Django
    mask = _random_letters()
    try:
        cipher = "".join(map(_ADD.__getitem__, zip(secret, mask, strict=True)))
    except KeyError:  # a letter Django would not have given
        return get_token(request)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return mask + cipher
