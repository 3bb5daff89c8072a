"""Signed-in pages drawn once per process for everyone of a language and a
set of roles, with each reader's own values put in last.

Once a page's own part is kept (a fragment, vaccination.own_pages), what is
left of its cost is Django's template engine walking the layout: blocks,
includes, the menus' tags. Yet the layout differs between two readers of the
same language and roles only by their name, their CSRF token, the address
(the language form's "next") and the page's own values. So the page is drawn
once with a stand-in for each of those, kept in a dictionary of this process
like the layout parts (pagecache.templatetags.layout), and each request puts
its own values in: a few string replacements instead of a render (issue 21).

What the stand-ins allow is all a kept page may show: the stand-in user has
a short name and nothing else (any other attribute renders as nothing, never
someone else's data), the stand-in request has an address. A page with a
message to flash is drawn in full. With debug on nothing is kept.
"""

import re

from django.conf import settings
from django.contrib import messages
from django.core.signals import setting_changed
from django.http import HttpResponse
from django.shortcuts import render as django_render
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from accounts.context_processors import RoleFlags
from pagecache import csrf

# A bound on memory: pages x languages x sets of roles met.
MAX_SHELLS = 512
_shells: dict[tuple, str | None] = {}


def stand_in(name: str) -> str:
    """A mark for `name` in HTML drawn once and filled per request (here, or by
    a caller that keeps its own drawing, such as the desk's check-in form)."""
    # Private-use characters: nothing escapes them, no text of ours holds them.
    return f"\ue000{name}\ue001"


# The reader's own values; a page's own are stand_in("value:" + its name), so no page value can take their place.
NAME, TOKEN, PATH = stand_in("user.short_name"), stand_in("csrf_token"), stand_in("request.path")


STAND_IN = re.compile("\ue000[^\ue000\ue001]*\ue001")


def _value(name: str) -> str:
    return stand_in(f"value:{name}")


class StandInUser:
    is_authenticated = True
    is_anonymous = False

    def get_short_name(self):
        return NAME


class StandInRequest:
    resolver_match = True

    def get_full_path(self):
        return PATH


def render(request, template_name: str, values: dict | None = None) -> HttpResponse:
    """The page `template_name` for the signed-in reader, its context the
    str `values` (HTML when marked safe, else escaped), drawn once per
    language and set of roles."""
    values = values or {}
    user = request.user
    if settings.DEBUG or not user.is_authenticated or len(messages.get_messages(request)):
        return django_render(request, template_name, values)
    key = (template_name, get_language(), RoleFlags(user).key, tuple(sorted(values)))
    shell = _kept(key, lambda: _draw(template_name, values, _reader_stand_ins(), request))
    if shell is None:  # a page that uses a value in a way a stand-in cannot follow
        return django_render(request, template_name, values)
    own = {NAME: user.get_short_name(), PATH: request.get_full_path()}
    if TOKEN in shell:
        own[TOKEN] = csrf.token(request)
    return HttpResponse(_filled(shell, values, own))


def fill(template_name: str, values: dict, **flags) -> str:
    """A part of a page drawn on every request of a busy page (the desk's
    answer to a scan), drawn once per language, `flags` and set of value
    names with a stand-in for each value, and each call's str `values` put in
    last (HTML when marked safe, else escaped). The template shows a value
    only as {{ name }} and chooses its shape only by `flags` (hashable): a
    drawing where a value went through a filter, a tag or an {% if %} could
    not follow the stand-in, and is drawn in full each time instead."""
    if settings.DEBUG:
        return render_to_string(template_name, {**flags, **values})
    key = ("part", template_name, get_language(), tuple(sorted(flags.items())), tuple(sorted(values)))
    drawing = _kept(key, lambda: _draw(template_name, values, flags))
    if drawing is None:
        return render_to_string(template_name, {**flags, **values})
    return mark_safe(_filled(drawing, values))  # noqa: S308  # nosec B308 B703 -- values escaped by _filled


def _reader_stand_ins() -> dict:
    return {"user": StandInUser(), "request": StandInRequest(), "csrf_token": TOKEN}


def _kept(key, draw) -> str | None:
    """The drawing kept under `key`, drawn now if it is not (None: cannot be kept)."""
    if key not in _shells:
        if len(_shells) >= MAX_SHELLS:
            _shells.clear()
        _shells[key] = draw()
    return _shells[key]


def _draw(template_name, values, context, request=None) -> str | None:
    """`template_name` drawn with a stand-in for each of `values` besides
    `context`; None when a stand-in did not come through as it is."""
    stand_ins = {name: mark_safe(_value(name)) for name in values}  # noqa: S308  # nosec B308 B703 -- constants
    html = render_to_string(template_name, {**context, **stand_ins}, request)
    if any(stand_in not in html for stand_in in stand_ins.values()):
        return None
    return html


def _filled(drawing: str, values: dict, own: dict | None = None) -> str:
    """The drawing with `values` (and the reader's `own`, by stand-in) put in,
    escaped unless marked safe. One pass: what is put in is never read again
    for a stand-in."""
    found = {_value(name): conditional_escape(value) for name, value in values.items()}
    found |= {mark: conditional_escape(value) for mark, value in (own or {}).items()}
    return STAND_IN.sub(lambda match: found.get(match.group(0), ""), drawing)


def forget_all(**kwargs) -> None:
    """Drop every kept page: a test that changes a setting must not see
    pages drawn under another."""
    _shells.clear()


setting_changed.connect(forget_all)
