"""The words of the vaccination services' error codes, lazily translated so
each reader sees them in their own language; pages and the API use them alike.

Only the codes added by the rules-at-their-edges work live here so far; the
older wording is moving here from the page views.
"""

from django.utils.translation import gettext_lazy as _

BOOKING_ERRORS = {
    "not_offered": _("This time is not open for booking yet. Pick a day within the next %(days)s days."),
}
