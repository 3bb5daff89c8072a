"""The daily alert: fleet managers get one email listing the clinic days
newly at risk in the coming fortnight (a day already alerted for the same
reasons is not repeated).

The email is owed through the outbox (outbox.enqueue), written in the same
transaction as the record of what was alerted: if mail is down, the worker
retries and the sweep finds it; nothing is lost and nothing is recorded as
alerted without its emails being owed. The worker's beat schedule runs it
(readiness.tasks), or `manage.py alert_readiness` from a scheduler.
"""

import datetime
import hashlib
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

import outbox
from accounts.roles import Role
from fleet.models import FLEET_REGISTER
from pagecache import fragments
from readiness.clinic_days import coming_at_risk_days
from readiness.models import RiskAlert
from readiness.status import Problem, _Label

logger = logging.getLogger(__name__)

KIND = "readiness_alert"


def fleet_managers():
    return get_user_model().objects.filter(groups__name=Role.FLEET_MANAGER.value, is_active=True).distinct()


def _subject_data(subject):
    """A reason's subject as JSON: a name, or a label put into words in the reader's language when sent."""
    if isinstance(subject, _Label):
        return {"name": subject.name, "name_es": subject.name_es, "holder": subject.holder, "note": subject.note}
    return str(subject)


def _subject(data):
    return _Label(**data) if isinstance(data, dict) else data


def _risk_data(risk) -> dict:
    return {
        "day": risk.day.isoformat(),
        "site": risk.site.name,
        "booked": risk.booked,
        "problems": [[problem.code, _subject_data(problem.subject)] for problem in risk.problems],
    }


def alert_new_risks(today=None) -> int:
    """Owe every fleet manager an email of the clinic days newly at risk; returns how many.

    Side effects: bumps FLEET_REGISTER (time passing makes trucks not ready),
    forgets alerted risks of past days, records the new ones (RiskAlert) and
    enqueues one outbox message per fleet manager, all in one transaction: if
    it fails nothing is recorded and the next run tries again; two runs at
    once alert once (the unique key makes the second wait, then skip).
    """
    today = today or timezone.localdate()
    # Time passing makes trucks not ready (documents expire at midnight): the
    # cached fleet lists' "not ready today" filter must be drawn again.
    fragments.bump(FLEET_REGISTER)
    RiskAlert.objects.filter(day__lt=today).delete()
    with transaction.atomic():
        risks = coming_at_risk_days(today)
        known = set(RiskAlert.objects.filter(key__in=[risk.key for risk in risks]).values_list("key", flat=True))
        new = [risk for risk in risks if risk.key not in known]
        if not new:
            return 0
        RiskAlert.objects.bulk_create([RiskAlert(key=risk.key, day=risk.day) for risk in new], ignore_conflicts=True)
        data = {"risks": [_risk_data(risk) for risk in new]}
        # The same new risks are owed once to each manager, however often the job runs.
        batch = hashlib.blake2b("|".join(sorted(risk.key for risk in new)).encode(), digest_size=12).hexdigest()
        for manager in fleet_managers():
            outbox.enqueue(
                kind=KIND,
                to=manager.email,
                data={**data, "user": manager.pk},
                key=f"{KIND}:{manager.pk}:{batch}",
            )
        logger.info("readiness alert: %s new clinic days at risk", len(new))
        return len(new)


@outbox.composer(KIND)
def compose(message):
    """The alert in the fleet manager's language, the reasons put into words
    then; None when the account is gone or no longer manages the fleet."""
    person = fleet_managers().filter(pk=message.data.get("user")).first()
    if person is None:
        return None
    with translation.override(person.preferred_language):
        rows = [
            {
                "risk": {**risk, "day": datetime.date.fromisoformat(risk["day"])},
                "reasons": [Problem(code, _subject(subject)).words for code, subject in risk["problems"]],
            }
            for risk in message.data["risks"]
        ]
        context = {"rows": rows, "count": len(rows), "site_url": getattr(settings, "SITE_URL", "").rstrip("/")}
        subject = render_to_string("emails/readiness_alert_subject.txt", context)
        body = render_to_string("emails/readiness_alert_body.txt", context)
    return EmailMessage(subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()), body=body)
