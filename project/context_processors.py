from django.conf import settings
from django.urls import reverse


def footer(request):
    """The footer's links: the operator's own pages when configured
    (VAXFLEET_PRIVACY_URL, VAXFLEET_ACCESSIBILITY_URL), else the app's."""
    return {
        "footer": {
            "privacy_url": settings.PRIVACY_URL or reverse("privacy"),
            "accessibility_url": settings.ACCESSIBILITY_URL or reverse("accessibility"),
            "help_url": reverse("help"),
            "help_email": settings.HELP_EMAIL,
        }
    }
