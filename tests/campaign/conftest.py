"""A fixed campaign, counted by hand in the tests (see `campaign` below)."""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
import time_machine

from tests.factories import UserFactory
from vaccination.models import Appointment, Site, Slot, Vaccine

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
LISBON = zoneinfo.ZoneInfo("Europe/Lisbon")
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
RANGE = {"start": "2026-12-01", "end": "2026-12-03"}


@dataclass
class Campaign:
    madrid: Site
    lisbon: Site
    flu: Vaccine
    covid: Vaccine
    people: list


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def _slot(site, vaccine, start, capacity, booked):
    return Slot.objects.create(
        site=site,
        vaccine=vaccine,
        start=start,
        end=start + timedelta(minutes=15),
        capacity=capacity,
        booked_count=booked,
    )


def _appointment(person, slot, status, *, dose=1, given=None, lot=""):
    checked = status == Appointment.Status.CHECKED_IN
    return Appointment.objects.create(
        person=person,
        slot=slot,
        status=status,
        dose_number=dose,
        checked_in_at=(given or slot.start) if checked else None,
        dose_given_at=given,
        vaccine_lot=lot,
    )


@pytest.fixture
def campaign(db, frozen):
    """Two clinics in two time zones, 1-3 December 2026, seen on 10 December.

    Madrid (UTC+1): 1 Dec 09:00 flu, 4 seats: two doses given, one no-show,
    one cancelled (3 seats taken). 2 Dec 00:30 covid, 2 seats: a dose 2 given
    at 00:30 Madrid time, which is still 1 December in UTC (it must count on
    2 Dec), and one person checked in without a dose recorded.
    Lisbon (UTC+0): 3 Dec 10:00 flu, 3 seats: one dose, two no-shows;
    4 Dec, outside the range: one dose.
    Ahead (11-23 Dec): Madrid 10 of 10 seats taken, Lisbon 2 of 10.
    """
    madrid = Site.objects.create(name="Madrid Centro", address="Gran Vía 1", time_zone="Europe/Madrid")
    lisbon = Site.objects.create(name="Lisboa Baixa", address="Rua Augusta 1", time_zone="Europe/Lisbon")
    flu = Vaccine.objects.create(name="Flu")
    covid = Vaccine.objects.create(name="Covid", doses_required=2, min_days_between_doses=21)
    people = [
        UserFactory(
            email=f"p{n}@example.org",
            first_name=f"First{n}",
            last_name=f"Last{n}",
            date_of_birth=date(1950 + n * 5, 6, 1),
        )
        for n in range(12)
    ]
    status = Appointment.Status
    m1 = _slot(madrid, flu, datetime(2026, 12, 1, 9, 0, tzinfo=MADRID), 4, 3)
    _appointment(people[0], m1, status.CHECKED_IN, given=datetime(2026, 12, 1, 9, 10, tzinfo=MADRID), lot="FL-1")
    _appointment(people[1], m1, status.CHECKED_IN, given=datetime(2026, 12, 1, 9, 20, tzinfo=MADRID), lot="FL-1")
    _appointment(people[2], m1, status.NO_SHOW)
    _appointment(people[3], m1, status.CANCELLED)
    m2 = _slot(madrid, covid, datetime(2026, 12, 2, 0, 30, tzinfo=MADRID), 2, 2)
    _appointment(
        people[4], m2, status.CHECKED_IN, dose=2, given=datetime(2026, 12, 2, 0, 30, tzinfo=MADRID), lot="CV-9"
    )
    _appointment(people[5], m2, status.CHECKED_IN)
    l1 = _slot(lisbon, flu, datetime(2026, 12, 3, 10, 0, tzinfo=LISBON), 3, 3)
    _appointment(people[6], l1, status.CHECKED_IN, given=datetime(2026, 12, 3, 10, 5, tzinfo=LISBON), lot="FL-2")
    _appointment(people[7], l1, status.NO_SHOW)
    _appointment(people[8], l1, status.NO_SHOW)
    l2 = _slot(lisbon, flu, datetime(2026, 12, 4, 10, 0, tzinfo=LISBON), 5, 1)
    _appointment(people[9], l2, status.CHECKED_IN, given=datetime(2026, 12, 4, 10, 5, tzinfo=LISBON), lot="FL-2")
    _slot(madrid, flu, datetime(2026, 12, 12, 10, 0, tzinfo=MADRID), 10, 10)
    _slot(lisbon, flu, datetime(2026, 12, 15, 10, 0, tzinfo=LISBON), 10, 2)
    return Campaign(madrid=madrid, lisbon=lisbon, flu=flu, covid=covid, people=people)


@pytest.fixture
def lead_client(client, campaign_lead):
    client.force_login(campaign_lead)
    return client
