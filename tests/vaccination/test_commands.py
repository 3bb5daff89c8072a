from datetime import date, datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from vaccination.models import Appointment, Slot


def test_generate_slots_creates_a_timetable_and_is_safe_to_run_twice(site, vaccine, capsys):
    args = ["--site", site.name, "--vaccine", str(vaccine.pk), "--from", "2030-01-07", "--to", "2030-01-08"]
    args += ["--opens", "09:00", "--closes", "10:00", "--minutes", "20", "--capacity", "5"]

    call_command("generate_slots", *args)
    call_command("generate_slots", *args)

    slots = Slot.objects.filter(site=site)
    assert slots.count() == 6
    assert set(slots.values_list("capacity", flat=True)) == {5}
    out = capsys.readouterr().out
    assert "6 slots created" in out
    assert "0 slots created" in out


def test_generate_slots_can_skip_weekends(site, vaccine):
    call_command(
        "generate_slots", "--site", site.name, "--vaccine", vaccine.name,
        "--from", "2030-01-04", "--to", "2030-01-07", "--closes", "09:15", "--weekdays-only",
    )  # fmt: skip

    days = {timezone.localtime(s.start, site.tzinfo).date() for s in Slot.objects.all()}
    assert days == {date(2030, 1, 4), date(2030, 1, 7)}


def test_generate_slots_refuses_an_unknown_clinic(vaccine):
    with pytest.raises(CommandError, match="No clinic"):
        call_command(
            "generate_slots",
            "--site",
            "Atlantis",
            "--vaccine",
            vaccine.name,
            "--from",
            "2030-01-01",
            "--to",
            "2030-01-01",
        )


def test_mark_no_shows_marks_booked_appointments_once_their_slot_and_its_grace_are_over(
    person, other_person, site, make_slot, make_appointment
):
    # The 08:00-08:15 slot can be checked in until 09:15 (NO_SHOW_GRACE).
    with time_machine.travel(datetime(2030, 5, 6, 9, 10, tzinfo=site.tzinfo), tick=False):
        morning = make_slot(start=datetime(2030, 5, 6, 8, tzinfo=site.tzinfo))
        missed = make_appointment(person, morning)
        came = make_appointment(
            other_person, morning, status=Appointment.Status.CHECKED_IN, checked_in_at=timezone.now()
        )
        call_command("mark_no_shows")
        missed.refresh_from_db()
        assert missed.status == Appointment.Status.BOOKED  # still their day: the desk may check them in

    with time_machine.travel(datetime(2030, 5, 6, 9, 20, tzinfo=site.tzinfo), tick=False):
        call_command("mark_no_shows")
        call_command("mark_no_shows")

    missed.refresh_from_db()
    came.refresh_from_db()
    assert missed.status == Appointment.Status.NO_SHOW
    assert came.status == Appointment.Status.CHECKED_IN
