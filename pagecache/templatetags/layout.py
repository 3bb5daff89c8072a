"""`{% layoutpart vary… %}…{% endlayoutpart %}`: a part of a page that is the
same for everyone who shares the vary values, rendered once per process.

The layout (head, menus, footer) and the fixed text of a page depend only on
the language and a few role flags, yet Django's template engine would rebuild
them, tag by tag, on every request: on the anonymous home page that was most
of the time spent (issue 21). Inside the tag, the rendered HTML is kept in a
dictionary of this process under (the tag's place in its template, the active
language, the vary values), so a hit costs one lookup: no network round trip,
no pickling, nothing to invalidate, because nothing in it changes between
deploys, and a deploy starts new processes.

What goes inside must never depend on anything but the vary values: no user
name, CSRF token, message, date or data from the database (those stay
outside the tag). With debug on (make run) nothing is kept, so an edited
template shows at once.
"""

import itertools

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.utils.translation import get_language

register = template.Library()

# A bound on memory if vary values were ever unbounded: forget everything and
# start again (each part is re-rendered once).
MAX_PARTS = 2048
_parts: dict[tuple, str] = {}
# Each tag, as compiled, gets a number of its own: its place in the key.
_places = itertools.count()


class LayoutPartNode(template.Node):
    def __init__(self, nodelist, place, vary_on):
        self.nodelist = nodelist
        self.place = place
        self.vary_on = vary_on

    def render(self, context):
        if settings.DEBUG:
            return self.nodelist.render(context)
        vary = [value.resolve(context) for value in self.vary_on]
        return kept((self.place, *vary), lambda: self.nodelist.render(context))


def kept(key: tuple, draw) -> str:
    """What `draw()` gives, kept in this process under `key` and the active
    language like a layout part: for Python that draws fixed HTML (a form's
    markup before its own values are put in). The same rules as the tag:
    `draw` must depend on nothing but `key` and the language."""
    if settings.DEBUG:
        return draw()
    key = (get_language(), *key)
    html = _parts.get(key)
    if html is None:
        html = draw()
        if len(_parts) >= MAX_PARTS:
            _parts.clear()
        _parts[key] = html
    return html


@register.tag
def layoutpart(parser, token):
    """{% layoutpart role.signed_in role.admin %} … {% endlayoutpart %}"""
    vary_on = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endlayoutpart",))
    parser.delete_first_token()
    return LayoutPartNode(nodelist, next(_places), vary_on)


def forget_all(**kwargs) -> None:
    """Drop every kept part: a part may read a setting (the footer's links),
    so a test that changes one must not see the parts of another."""
    _parts.clear()


setting_changed.connect(forget_all)
