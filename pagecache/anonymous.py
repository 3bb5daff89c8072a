"""Whole pages kept for visitors who are not signed in: the home page and the
fixed pages (privacy, accessibility, help) are the same for every such
visitor of a language but for the CSRF token of the language form.

Before this, a first-time visitor's home page went through every middleware
(the session, the user, the audit context, messages, two-factor checks),
URL resolution and the template engine, to produce the same bytes each time:
it cost more than F0, the floor of a page that does nothing (issue 21).

AnonymousPageMiddleware keeps, in a dictionary of this process, the answer
the whole stack gave to the first such request, under (path, language). It
serves it again only to a plain GET that carries neither a session cookie
(nobody signed in, no session at all) nor a messages cookie (nothing to
flash), with no query string, for a view marked `same_for_every_visitor`.
The CSRF token is the one thing put in per request, by Django's own CSRF
middleware and `get_token`'s token (pagecache.csrf makes the same, faster),
so the cookie and the form's token are exactly what the full stack would
have given. Every header the stack below added
(Content-Language, Vary, X-Frame-Options) is kept; the ones above it
(security, CSP, Cache-Control) are added on the way out as for any page.

Nothing is kept with debug on (make run), so an edited template shows at
once; a deploy starts new processes, which start empty.
"""

import re

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.signals import setting_changed
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import get_language_from_request

from pagecache import csrf

# A bound on memory: a few pages in two languages need a dozen entries; past
# this (some unforeseen vary), start again.
MAX_PAGES = 64
_pages: dict[tuple[str, str], "KeptPage"] = {}

# The masked token Django writes into every form of the page (64 letters and digits).
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def same_for_every_visitor(view):
    """Marks a view whose answer to a visitor who is not signed in depends on
    nothing but the path and the language (and the CSRF token): no data from
    the database, no date, no query string."""
    view.same_for_every_visitor = True
    return view


class KeptPage:
    __slots__ = ("headers", "parts", "status")

    def __init__(self, status, headers, parts):
        self.status = status
        self.headers = headers
        self.parts = parts  # the body, split where the CSRF token goes

    def response(self, token: str) -> HttpResponse:
        response = HttpResponse(token.encode().join(self.parts), status=self.status)
        for name, value in self.headers:
            response[name] = value
        return response


class AnonymousPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # Django's own CSRF middleware around the kept page: it reads the
        # visitor's CSRF cookie (or makes one) and sets it on the answer.
        self.csrf = CsrfViewMiddleware(_kept_answer)

    def __call__(self, request):
        if settings.DEBUG or not _plain_anonymous_get(request):
            return self.get_response(request)
        key = (request.path, get_language_from_request(request))
        page = _pages.get(key)
        if page is not None:
            request.kept_page = page
            return self.csrf(request)
        response = self.get_response(request)
        page = _keepable(request, response)
        if page is not None:
            if len(_pages) >= MAX_PAGES:
                _pages.clear()
            _pages[key] = page
        return response


def _kept_answer(request):
    return request.kept_page.response(csrf.token(request))


def _plain_anonymous_get(request) -> bool:
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
    )


def _keepable(request, response) -> KeptPage | None:
    """The answer as a page to keep, when it is one: an ordinary 200 HTML page
    of a marked view, which set no cookie but the CSRF one and used no session."""
    match = getattr(request, "resolver_match", None)
    if (
        response.status_code != 200
        or response.streaming
        or match is None
        or not getattr(match.func, "same_for_every_visitor", False)
        or not response.get("Content-Type", "").startswith("text/html")
        or any(name != settings.CSRF_COOKIE_NAME for name in response.cookies)
        or getattr(getattr(request, "session", None), "modified", False)
    ):
        return None
    content = response.content
    found = set(TOKEN.findall(content))
    if len(found) > 1:
        return None  # more than one token: not a page rendered in one context
    if found:
        parts = content.split(found.pop())
    elif b"csrfmiddlewaretoken" in content:
        return None  # a token written some other way: never serve it to someone else
    else:
        parts = [content]
    headers = [(name, value) for name, value in response.items() if name.lower() != "set-cookie"]
    return KeptPage(response.status_code, headers, parts)


def forget_all(**kwargs) -> None:
    """Drop every kept page: a test that changes a setting must not be served
    a page rendered under another."""
    _pages.clear()


setting_changed.connect(forget_all)
