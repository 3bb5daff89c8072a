"""Messages of the standby app: today, one email per offer, sent after the
offer's transaction commits (standby.services registers it with
transaction.on_commit).

This is the one place that sends them: when the worker's outbox lands, its
send_offer becomes "queue an outbox row (email and SMS)" and nothing else
changes. A failing mail server is logged, never raised: the offer stands
and its link still works from the standby page.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

logger = logging.getLogger(__name__)


def send_offer(offer_id: int) -> bool:
    from standby.models import Offer
    from standby.services import offer_token

    offer = Offer.objects.select_related("entry__person__carer", "spare__slot__site", "spare__slot__vaccine").get(
        pk=offer_id
    )
    person = offer.entry.person
    to = person.contact_email
    if not to or offer.status != Offer.Status.OPEN:
        return False
    site = offer.spare.slot.site
    language = person.preferred_language
    with timezone.override(site.tzinfo), translation.override(language):
        context = {
            "offer": offer,
            "person": person,
            "site": site,
            "vaccine": offer.spare.slot.vaccine,
            "url": getattr(settings, "SITE_URL", "").rstrip("/")
            + reverse("standby:offer", kwargs={"token": offer_token(offer)}),
            "LANGUAGE_CODE": language,
        }
        subject = render_to_string("emails/standby_offer_subject.txt", context)
        text = render_to_string("emails/standby_offer_body.txt", context)
        html = render_to_string("emails/standby_offer_body.html", context)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()), body=text, to=[to]
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:
        logger.exception("Could not send standby offer %s", offer_id)
        return False
    return True
