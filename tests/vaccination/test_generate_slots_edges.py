"""Issue 23 cases 9-12: generate_slots across daylight-saving changes, reruns
that would overlap, concurrent runs, and options out of range."""

import itertools
import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.urls import reverse

from vaccination.models import Site, Slot, Vaccine

MADRID = ZoneInfo("Europe/Madrid")


def run(site, vaccine, *extra):
    args = ["--site", str(site.pk), "--vaccine", str(vaccine.pk), *extra]
    call_command("generate_slots", *args)


@pytest.fixture(autouse=True)
def before_the_dates():
    with time_machine.travel(datetime(2026, 10, 1, 12, tzinfo=MADRID), tick=False):
        yield


# 23.9 -------------------------------------------------------------------------


@pytest.mark.parametrize("opens", ["00:00", "01:00"])
def test_23_9_a_spring_forward_night_skips_the_times_that_do_not_exist_and_reports_it(site, vaccine, capsys, opens):
    run(site, vaccine, "--from", "2027-03-28", "--to", "2027-03-28", "--opens", opens, "--closes", "05:00")

    slots = list(Slot.objects.filter(site=site).order_by("start"))
    local_starts = [slot.start.astimezone(MADRID) for slot in slots]
    assert all(slot.end - slot.start == timedelta(minutes=15) for slot in slots)
    assert not any(start.hour == 2 for start in local_starts)  # 02:00-02:59 does not exist that night
    assert local_starts[0].hour == int(opens[:2])
    assert local_starts[-1].strftime("%H:%M") == "04:45"
    assert "2027-03-28: the clocks change" in capsys.readouterr().out


def test_23_9_a_fall_back_night_gives_every_slot_its_length_in_real_time(site, vaccine):
    run(
        site,
        vaccine,
        "--from",
        "2026-10-25",
        "--to",
        "2026-10-25",
        "--opens",
        "00:00",
        "--closes",
        "05:00",
        "--minutes",
        "30",
    )

    slots = list(Slot.objects.filter(site=site).order_by("start"))
    assert {slot.end - slot.start for slot in slots} == {timedelta(minutes=30)}
    # 00:00 CEST to 05:00 CET is six real hours: twelve half-hour slots, back to back.
    assert len(slots) == 12
    assert all(a.end == b.start for a, b in itertools.pairwise(slots))
    assert slots[0].start == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    assert slots[-1].end == datetime(2026, 10, 25, 4, 0, tzinfo=UTC)


# 23.10 ------------------------------------------------------------------------

DAYS = ["--from", "2026-12-01", "--to", "2026-12-02", "--opens", "09:00", "--closes", "10:00"]


def test_23_10_a_rerun_with_another_slot_length_is_refused_and_creates_nothing(site, vaccine):
    run(site, vaccine, *DAYS, "--minutes", "15")

    with pytest.raises(CommandError, match="would overlap the existing slot 2026-12-01 09:00-09:15"):
        run(site, vaccine, *DAYS, "--minutes", "20")

    assert Slot.objects.filter(site=site).count() == 8
    assert {slot.end - slot.start for slot in Slot.objects.all()} == {timedelta(minutes=15)}


def test_23_10_a_rerun_says_what_is_already_there_and_leaves_another_capacity_as_it_was(site, vaccine, capsys):
    run(site, vaccine, *DAYS, "--capacity", "4")
    run(site, vaccine, *DAYS, "--capacity", "6", "--to", "2026-12-03")

    out = capsys.readouterr().out
    assert "8 slots created at Central Clinic, 0 already there." in out
    assert "4 slots created at Central Clinic, 8 already there (8 with another capacity, left as it was" in out
    assert Slot.objects.filter(capacity=4).count() == 8
    assert Slot.objects.filter(capacity=6).count() == 4


def test_23_10_the_admin_action_refuses_an_overlapping_rerun_with_a_message(admin_client, site, vaccine):
    run(site, vaccine, *DAYS, "--minutes", "15")
    data = {
        "action": "generate_slots",
        "_selected_action": [site.pk],
        "apply": "1",
        "vaccine": vaccine.pk,
        "start_date": "2026-12-01",
        "end_date": "2026-12-01",
        "opens": "09:00",
        "closes": "10:00",
        "minutes": "20",
        "capacity": "2",
        "weekdays_only": "",
    }
    response = admin_client.post(reverse("admin:vaccination_site_changelist"), data, follow=True)

    assert "would overlap the existing slot" in response.content.decode()
    assert Slot.objects.count() == 8


# 23.11 ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, so it cannot show a race (set DATABASE_URL)",
)
def test_23_11_two_runs_at_once_count_only_what_each_inserted():
    site = Site.objects.create(name="Race Clinic", address="1 Fast Lane", time_zone="Europe/Madrid")
    vaccine = Vaccine.objects.create(name="Race vaccine")
    barrier = threading.Barrier(2)
    results = []

    def generate():
        try:
            barrier.wait()
            results.append(
                Slot.objects.generate(
                    site=site,
                    vaccine=vaccine,
                    first_day=date(2026, 12, 1),
                    last_day=date(2026, 12, 31),
                    opens=datetime.min.time().replace(hour=8),
                    closes=datetime.min.time().replace(hour=20),
                    minutes=10,
                    capacity=4,
                ).created
            )
        except Exception as error:  # any failure must fail the test, with its text
            results.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=generate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    total = Slot.objects.filter(site=site).count()
    assert total == 31 * 12 * 6
    assert sorted(results) == [0, total]


# 23.12 ------------------------------------------------------------------------


@pytest.mark.parametrize("capacity", ["40000", "0", "-1"])
def test_23_12_a_capacity_outside_the_fields_range_is_a_command_error(site, vaccine, capacity):
    with pytest.raises(CommandError, match="--capacity must be between 1 and 32767"):
        run(site, vaccine, *DAYS, "--capacity", capacity)
    assert not Slot.objects.exists()


def test_23_12_the_largest_capacity_the_field_holds_is_accepted(site, vaccine):
    run(site, vaccine, *DAYS, "--capacity", "32767")
    assert Slot.objects.filter(capacity=32767).count() == 8


def test_23_12_an_inactive_clinic_gets_a_warning(site, vaccine, capsys):
    site.is_active = False
    site.save()

    run(site, vaccine, *DAYS)

    assert "is inactive" in capsys.readouterr().err


def test_23_12_a_range_in_the_past_gets_a_warning(site, vaccine, capsys):
    run(site, vaccine, "--from", "2026-09-01", "--to", "2026-09-02")

    assert "every day is in the past" in capsys.readouterr().err


def test_23_12_a_range_that_starts_in_the_past_gets_a_warning(site, vaccine, capsys):
    run(site, vaccine, "--from", "2026-09-30", "--to", "2026-10-02")

    assert "the days before 2026-10-01 are past" in capsys.readouterr().err
