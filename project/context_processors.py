from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject


def footer(request):
    """The footer's links: the operator's own pages when configured
    (VAXFLEET_PRIVACY_URL, VAXFLEET_ACCESSIBILITY_URL), else the app's.
    Worked out only by a page that shows the footer (a page served under
    another URLconf, like the bench endpoints, may not have the app's)."""

    def links():
        return {
            "privacy_url": settings.PRIVACY_URL or reverse("privacy"),
            "accessibility_url": settings.ACCESSIBILITY_URL or reverse("accessibility"),
            "help_url": reverse("help"),
            "help_email": settings.HELP_EMAIL,
        }

    return {"footer": SimpleLazyObject(links)}
