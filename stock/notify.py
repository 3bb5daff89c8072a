"""The cold-chain alert, owed to the staff of the truck's clinics and the
fleet managers by email (and by text where they have a mobile number and
texts can be sent), through the outbox: written in the excursion's
transaction, sent by the worker, swept if never sent."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

import outbox
from outbox import sms

KIND = "cold_chain_alert"


def owe_alert(*, alert, recipients) -> None:
    """Owe each of `recipients` the alert. Call inside the excursion's transaction."""
    for person in recipients:
        # The recipient rides along: a text's address is a number, and an
        # email may reach a carer, so neither says whose language to use.
        data = {"alert": alert.pk, "user": person.pk}
        if person.contact_email:
            outbox.enqueue(kind=KIND, to=person.contact_email, data=data, key=f"{KIND}:{alert.pk}:{person.pk}")
        if person.sms_number and sms.enabled():
            outbox.enqueue(
                kind=KIND, channel="sms", to=person.sms_number, data=data, key=f"{KIND}:{alert.pk}:{person.pk}:sms"
            )


@outbox.composer(KIND)
def compose(message):
    """The alert's email or text, in the recipient's language; None once the
    lots have all been decided (nothing left to act on)."""
    from accounts.models import User
    from stock.models import ColdChainAlert, Quarantine

    alert = ColdChainAlert.objects.select_related("excursion__truck").filter(pk=message.data["alert"]).first()
    if alert is None:
        return None
    excursion = alert.excursion
    waiting = Quarantine.objects.filter(excursion=excursion, decision="").select_related("lot__vaccine")
    lots = [quarantine.lot for quarantine in waiting]
    if not lots:
        return None
    person = User.objects.filter(pk=message.data.get("user")).first()
    language = person.preferred_language if person else settings.LANGUAGE_CODE
    url = getattr(settings, "SITE_URL", "").rstrip("/") + reverse("stock:excursion", args=[excursion.pk])
    with translation.override(language):
        if message.channel == "sms":
            return gettext(
                "VaxFleet: truck %(truck)s's fridge left its range at %(time)s; lots quarantined. %(url)s"
            ) % {
                "truck": excursion.truck.code,
                "time": formats.time_format(timezone.localtime(excursion.started_at), "H:i"),
                "url": url,
            }
        context = {"excursion": excursion, "lots": lots, "url": url}
        subject = render_to_string("emails/cold_chain_alert_subject.txt", context)
        body = render_to_string("emails/cold_chain_alert_body.txt", context)
    return EmailMessage(subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()), body=body)
