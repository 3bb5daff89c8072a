"""Messages of the standby app: each offer is owed by email and, where the
person has a mobile number and texts can be sent, by text, through the
outbox (written in the offer's transaction, sent by the worker, swept if
never sent). The composers write them at send time: an offer taken, expired
or withdrawn meanwhile is no longer owed and is skipped."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

import outbox
from outbox import sms

KIND = "standby_offer"


def owe_offer(offer) -> None:
    """Owe `offer`'s person its message(s). Call inside the offer's transaction."""
    person = offer.entry.person
    data = {"offer": offer.pk}
    if person.contact_email:
        outbox.enqueue(kind=KIND, to=person.contact_email, data=data, key=f"{KIND}:{offer.pk}")
    if person.sms_number and sms.enabled():
        outbox.enqueue(kind=KIND, channel="sms", to=person.sms_number, data=data, key=f"{KIND}:{offer.pk}:sms")


def _open_offer(message):
    from standby.models import Offer

    offer = (
        Offer.objects.select_related("entry__person__carer", "spare__slot__site", "spare__slot__vaccine")
        .filter(pk=message.data["offer"])
        .first()
    )
    if offer is None or offer.status != Offer.Status.OPEN or offer.expires_at <= timezone.now():
        return None
    return offer


def _url(offer) -> str:
    from standby.services import offer_token

    return getattr(settings, "SITE_URL", "").rstrip("/") + reverse(
        "standby:offer", kwargs={"token": offer_token(offer)}
    )


@outbox.composer(KIND)
def compose(message):
    """The offer's email or text, or None when the offer is no longer open."""
    offer = _open_offer(message)
    if offer is None:
        return None
    person = offer.entry.person
    site = offer.spare.slot.site
    language = person.preferred_language
    with timezone.override(site.tzinfo), translation.override(language):
        if message.channel == "sms":
            # Short, and nothing personal beyond the clinic and the time.
            return gettext("VaxFleet: a spare vaccine dose at %(clinic)s until %(time)s. Accept: %(url)s") % {
                "clinic": site.name,
                "time": formats.time_format(timezone.localtime(offer.expires_at), "H:i"),
                "url": _url(offer),
            }
        context = {
            "offer": offer,
            "person": person,
            "site": site,
            "vaccine": offer.spare.slot.vaccine,
            "url": _url(offer),
            "LANGUAGE_CODE": language,
        }
        subject = render_to_string("emails/standby_offer_subject.txt", context)
        text = render_to_string("emails/standby_offer_body.txt", context)
        html = render_to_string("emails/standby_offer_body.html", context)
    email = EmailMultiAlternatives(subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()), body=text)
    email.attach_alternative(html, "text/html")
    return email
