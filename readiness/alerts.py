"""The daily alert: fleet managers get one email listing the clinic days
newly at risk in the coming fortnight (a day already alerted for the same
reasons is not repeated).

No background worker exists yet, so `manage.py alert_readiness` runs it
from the scheduler (cron, Heroku Scheduler) once a day; when the worker
lands, its beat schedule calls `alert_new_risks` instead.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.roles import Role
from fleet.models import FLEET_REGISTER
from pagecache import fragments
from readiness.clinic_days import coming_at_risk_days
from readiness.models import RiskAlert

logger = logging.getLogger(__name__)


def fleet_managers():
    return get_user_model().objects.filter(groups__name=Role.FLEET_MANAGER.value, is_active=True).distinct()


def alert_new_risks(today=None) -> int:
    """Email every fleet manager the clinic days newly at risk; returns how many.

    The alerted risks are recorded and the mails sent in one transaction: if
    sending fails, nothing is recorded and the next run tries again; two runs
    at once send once (the unique key makes the second wait, then skip).
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
        for manager in fleet_managers():
            with translation.override(manager.preferred_language):
                # The reasons' words are put together in the reader's language.
                rows = [{"risk": risk, "reasons": [p.words for p in risk.problems]} for risk in new]
                context = {"rows": rows, "count": len(new), "site_url": getattr(settings, "SITE_URL", "").rstrip("/")}
                subject = render_to_string("emails/readiness_alert_subject.txt", context)
                body = render_to_string("emails/readiness_alert_body.txt", context)
            send_mail(
                settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
                body,
                None,
                [manager.email],
            )
        logger.info("readiness alert: %s new clinic days at risk", len(new))
        return len(new)
