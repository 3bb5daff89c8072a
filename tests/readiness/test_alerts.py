import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.roles import Role
from tests.factories import UserFactory
from tests.readiness.factories import DocumentFactory, mobile_clinic_day, ready_truck

pytestmark = pytest.mark.django_db


def test_the_daily_alert_tells_each_fleet_manager_of_new_risks_once(fleet_manager, clinic_staff):
    spanish = UserFactory(email="flota@example.org", roles=[Role.FLEET_MANAGER], language="es")
    truck = ready_truck()
    site, _day = mobile_clinic_day(truck, booked=5)
    DocumentFactory(truck=truck, expires_on=timezone.localdate() - datetime.timedelta(days=1))

    call_command("alert_readiness")

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
    call_command("alert_readiness")
    assert mail.outbox == []


def test_the_daily_alert_sends_nothing_when_nothing_is_at_risk(fleet_manager):
    mobile_clinic_day(ready_truck())

    call_command("alert_readiness")

    assert mail.outbox == []
