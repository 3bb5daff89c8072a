"""Hooks that apps above fleet answer, so fleet never imports them (STYLE.md:
a lower app sends a signal, the higher app answers).

- `page_sections(page, request, obj)`: a receiver returns HTML to add to a
  fleet page (`page` is "truck", "driver" or "me"; `obj` the truck, the
  driver, or the driver's own record), or None.
- `not_ready_requested(model, day)`: a receiver returns a Q of the rows of
  `model` (Truck or Driver) that are not ready on `day`, or None.
"""

from django.db.models import Q
from django.dispatch import Signal

page_sections = Signal()
not_ready_requested = Signal()


def sections(page: str, request, obj) -> list[str]:
    answers = page_sections.send(sender=page, request=request, obj=obj)
    # Receivers hand back render_to_string's SafeString: templates escaped it.
    return [html for _receiver, html in answers if html]


def not_ready(model, day) -> Q:
    """The rows of `model` not ready on `day`; none when no app answers."""
    found = [q for _receiver, q in not_ready_requested.send(sender=model, day=day) if q is not None]
    if not found:
        return Q(pk__in=[])
    combined = found[0]
    for q in found[1:]:
        combined |= q
    return combined
