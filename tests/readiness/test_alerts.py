import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

import outbox
from accounts.roles import Role
from outbox.models import Message
from tests.factories import UserFactory
from tests.readiness.factories import DocumentFactory, mobile_clinic_day, ready_truck

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(django_capture_on_commit_callbacks):
    """The daily job, with the outbox's hand-off to the (eager) worker run at commit."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            call_command("alert_readiness")

    return run


def _expired_insurance_day(booked=5):
    truck = ready_truck()
    site, _day = mobile_clinic_day(truck, booked=booked)
    DocumentFactory(truck=truck, expires_on=timezone.localdate() - datetime.timedelta(days=1))
    return site


def test_the_daily_alert_tells_each_fleet_manager_of_new_risks_once(fleet_manager, clinic_staff, alert):
    spanish = UserFactory(email="flota@example.org", roles=[Role.FLEET_MANAGER], language="es")
    site = _expired_insurance_day()

    alert()

    assert sorted(message.to[0] for message in mail.outbox) == [fleet_manager.email, spanish.email]
    english = next(m for m in mail.outbox if m.to == [fleet_manager.email])
    assert "1 mobile clinic day newly at risk" in english.subject
    assert site.name in english.body
    assert "5 people booked" in english.body
    assert "Truck document expired: Insurance" in english.body
    assert "/fleet/readiness/" in english.body
    spanish_mail = next(m for m in mail.outbox if m.to == [spanish.email])
    assert "Seguro" in spanish_mail.body

    mail.outbox.clear()
    alert()
    assert mail.outbox == []


def test_the_daily_alert_sends_nothing_when_nothing_is_at_risk(fleet_manager, alert):
    mobile_clinic_day(ready_truck())

    alert()

    assert mail.outbox == []
    assert not Message.objects.exists()


def test_an_alert_owed_while_mail_is_down_is_sent_when_it_is_back(fleet_manager, settings, alert):
    site = _expired_insurance_day()
    settings.EMAIL_BACKEND = "tests.vaccination.broken_mail.EmailBackend"

    alert()

    owed = Message.objects.get(kind="readiness_alert")
    assert owed.status == Message.Status.PENDING
    assert owed.to == fleet_manager.email

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Message.objects.filter(pk=owed.pk).update(available_at=timezone.now())
    assert outbox.deliver(owed.pk) == Message.Status.SENT
    assert [m.to for m in mail.outbox] == [[fleet_manager.email]]
    assert site.name in mail.outbox[0].body
