"""Hooks that apps above vaccination answer, so vaccination never imports
them (STYLE.md: a lower app sends a signal, the higher app answers).

- `board_notices(site, day)`: a receiver returns a list of warnings to show
  on the clinic's day board (e.g. this mobile clinic's truck is not ready).
"""

from django.dispatch import Signal

board_notices = Signal()


def notices(site, day) -> list[str]:
    found = []
    for _receiver, answer in board_notices.send(sender=type(site), site=site, day=day):
        found += answer or []
    return found
