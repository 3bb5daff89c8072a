"""The campaign overview's walk-ins and offers section (standby.campaign), counted by hand."""

from datetime import datetime, timedelta

import pytest

from standby.campaign import campaign_sections
from tests.factories import UserFactory
from vaccination.models import Appointment, Site, Slot, Vaccine

pytestmark = pytest.mark.django_db


def test_the_overview_counts_walk_ins_and_offers_taken_on_each_clinics_own_day():
    madrid = Site.objects.create(name="Madrid", address="1 Gran Vía", time_zone="Europe/Madrid")
    vaccine = Vaccine.objects.create(name="Flu")
    day = datetime(2026, 12, 2).date()

    def appointment(source, hour, minute=0, day_offset=0, **fields):
        start = datetime(2026, 12, 2 + day_offset, hour, minute, tzinfo=madrid.tzinfo)
        slot = Slot.objects.create(
            site=madrid, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=5
        )
        return Appointment.objects.create(person=UserFactory(), slot=slot, source=source, **fields)

    appointment(Appointment.Source.WALK_IN, 0, 30)  # 00:30 in Madrid is 23:30 UTC the day before: still 2 December
    appointment(Appointment.Source.WALK_IN, 11)
    appointment(Appointment.Source.OFFER, 15)
    appointment(Appointment.Source.OFFER, 16, status=Appointment.Status.CANCELLED)
    appointment(Appointment.Source.ONLINE, 10)
    appointment(Appointment.Source.WALK_IN, 10, day_offset=1)  # another day

    [section] = campaign_sections(first_day=day, last_day=day)

    assert section["rows"] == [["Madrid", 2, 1]]
    assert "2 people came without an appointment and 1 took a spare-dose offer" in section["summary"]
