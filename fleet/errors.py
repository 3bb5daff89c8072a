"""The words of the fleet services' error codes, lazily translated so each
reader sees them in their own language; pages and the API use them alike.

Only the codes added by the rules-at-their-edges work live here so far; the
older wording is moving here from the page views.
"""

from django.utils.translation import gettext_lazy as _

FLEET_ERRORS = {
    "licence_expired": _(
        "This driver's licence expired on %(expiry)s. Record the renewed licence before assigning a truck."
    ),
}
