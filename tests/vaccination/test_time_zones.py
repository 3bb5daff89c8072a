"""A slot at 09:00 clinic time reads 09:00 everywhere, including the week
daylight saving time starts (Europe/Madrid: Sunday 28 March 2027)."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.urls import reverse

from vaccination.confirmation import calendar_file
from vaccination.emails import appointment_email
from vaccination.models import Site, Slot

MADRID = ZoneInfo("Europe/Madrid")
DST_WEEK = [date(2027, 3, 26), date(2027, 3, 27), date(2027, 3, 28), date(2027, 3, 29)]


@pytest.fixture
def madrid_slots(vaccine, settings):
    settings.TIME_ZONE = "UTC"  # the campaign default differs from the clinic's zone on purpose
    site = Site.objects.create(name="Madrid Clinic", address="Gran Vía 1", time_zone="Europe/Madrid")
    with time_machine.travel(datetime(2027, 3, 20, 12, tzinfo=MADRID), tick=False):
        Slot.objects.generate(
            site=site,
            vaccine=vaccine,
            first_day=DST_WEEK[0],
            last_day=DST_WEEK[-1],
            opens=time(9),
            closes=time(10),
            minutes=30,
            capacity=2,
        )
    return site


def test_generated_slots_start_at_nine_local_time_on_both_sides_of_the_change(madrid_slots):
    starts = [slot.start for slot in Slot.objects.filter(site=madrid_slots, start__time__isnull=False)]

    local_nines = sorted(s for s in starts if s.astimezone(MADRID).time() == time(9))
    assert [s.astimezone(MADRID).date() for s in local_nines] == DST_WEEK
    # 08:00 UTC in winter time, 07:00 UTC in summer time.
    assert {s.astimezone(ZoneInfo("UTC")).hour for s in local_nines} == {8, 7}


@pytest.mark.parametrize("day", DST_WEEK)
def test_a_nine_oclock_slot_reads_nine_on_the_page_in_the_email_and_in_the_calendar(
    client, person, madrid_slots, make_appointment, mailoutbox, day
):
    slot = Slot.objects.get(site=madrid_slots, start=datetime.combine(day, time(9), tzinfo=MADRID))
    appointment = make_appointment(person, slot)

    with time_machine.travel(datetime(2027, 3, 20, 12, tzinfo=MADRID), tick=False):
        client.force_login(person)
        page = client.get(reverse("vaccination:appointment-detail", args=[appointment.pk])).content.decode()
        booking = client.get(reverse("vaccination:book"), {"site": madrid_slots.pk, "day": day.isoformat()})
        appointment_email(appointment, "reminder").send()
        ics = icalendar.Calendar.from_ical(calendar_file(appointment))

    assert "09:00\N{EN DASH}09:30" in page
    assert "09:00" in booking.content.decode()
    assert "at 09:00" in mailoutbox[0].subject
    # The clinic's own time, in plain words: no time-zone name for the public.
    assert "09:00\N{EN DASH}09:30" in mailoutbox[0].body
    assert "Europe/Madrid" not in mailoutbox[0].body
    assert "Europe/Madrid" not in page
    event = ics.walk("VEVENT")[0]
    start = event.decoded("dtstart")
    assert (start.hour, start.minute, str(start.tzinfo)) == (9, 0, "Europe/Madrid")
    assert "TZID=Europe/Madrid:" in calendar_file(appointment).decode()
    assert ics.walk("VTIMEZONE")
