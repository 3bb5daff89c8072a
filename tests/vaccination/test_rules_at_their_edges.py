"""Issue 23 (cases 1-5) and issue 14 item 2: dose intervals counted in local
days at the clinics, the booking window held on every path, nobody stuck
behind a booking they missed, check-in across midnight."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import formats

from tests.api.conftest import bearer
from vaccination.checkin import check_in
from vaccination.models import Appointment, Site, Slot
from vaccination.services import BookingError, book

MADRID = ZoneInfo("Europe/Madrid")


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=MADRID)


@pytest.fixture
def given_dose(person, make_slot, make_appointment):
    """given_dose(moment) -> dose 1 of the 21-day vaccine, given to `person` at `moment`."""

    def give(moment):
        slot = make_slot(moment - timedelta(minutes=5), capacity=1)
        return make_appointment(
            person,
            slot,
            status=Appointment.Status.CHECKED_IN,
            checked_in_at=moment - timedelta(minutes=5),
            dose_given_at=moment,
        )

    return give


def long_date(day):
    return formats.date_format(day, "LONG_DATE_FORMAT")


# 23.1 -------------------------------------------------------------------------


@pytest.mark.parametrize("given_at", [time(12, 0), time(23, 50)])
def test_23_1_the_whole_local_day_after_the_interval_is_bookable_and_the_message_names_that_day(
    client, person, site, vaccine, make_slot, given_dose, given_at
):
    given_dose(at(date(2026, 11, 2), given_at.hour, given_at.minute))
    morning = make_slot(at(date(2026, 11, 23), 9))
    day_before = make_slot(at(date(2026, 11, 22), 16))

    with time_machine.travel(at(date(2026, 11, 20), 10), tick=False):
        with pytest.raises(BookingError) as refused:
            book(person=person, slot=day_before)
        client.force_login(person)
        picker = client.get(reverse("vaccination:book"), {"site": site.pk, "day": "2026-11-22"}).content.decode()
        appointment = book(person=person, slot=morning)

    assert refused.value.code == "too_soon"
    assert refused.value.earliest == date(2026, 11, 23)
    assert long_date(date(2026, 11, 23)) in picker
    assert appointment.slot == morning
    assert appointment.dose_number == 2


# 23.2 -------------------------------------------------------------------------


def test_23_2_the_earliest_day_is_named_in_the_clinics_zone_not_the_campaigns(
    client, settings, person, site, vaccine, make_slot, given_dose
):
    settings.TIME_ZONE = "UTC"
    # 00:30 in Madrid on 2 November is still 1 November in UTC.
    given_dose(at(date(2026, 11, 2), 0, 30))
    nov_22 = make_slot(at(date(2026, 11, 22), 16))
    nov_23 = make_slot(at(date(2026, 11, 23), 9))

    with time_machine.travel(at(date(2026, 11, 20), 10), tick=False):
        client.force_login(person)
        picker = client.get(reverse("vaccination:book"), {"site": site.pk, "day": "2026-11-22"}).content.decode()
        with pytest.raises(BookingError) as refused:
            book(person=person, slot=nov_22)
        booked = book(person=person, slot=nov_23)

    assert refused.value.earliest == date(2026, 11, 23)
    assert long_date(date(2026, 11, 23)) in picker
    assert long_date(date(2026, 11, 22)) not in picker
    assert booked.slot == nov_23


# 23.3 -------------------------------------------------------------------------


def test_23_3_never_fewer_local_days_than_the_interval_across_the_clocks_going_back(
    person, vaccine, make_slot, given_dose
):
    # 00:30 CEST on 20 October 2026; the clocks go back on 25 October. 21 UTC
    # days later is 23:30 CET on 9 November: only 20 local days.
    given_dose(at(date(2026, 10, 20), 0, 30))
    late_on_the_9th = make_slot(at(date(2026, 11, 9), 23, 45))
    first_thing_on_the_10th = make_slot(at(date(2026, 11, 10), 0, 0))

    with time_machine.travel(at(date(2026, 11, 5), 10), tick=False):
        with pytest.raises(BookingError) as refused:
            book(person=person, slot=late_on_the_9th)
        booked = book(person=person, slot=first_thing_on_the_10th)

    assert refused.value.code == "too_soon"
    assert refused.value.earliest == date(2026, 11, 10)
    assert booked.dose_number == 2


# 14.2: the booking window -------------------------------------------------------


@pytest.fixture
def far_slot(make_slot):
    """A slot 90 days ahead: beyond the 14-day booking window."""
    return make_slot(at(date.today() + timedelta(days=90), 9))


def test_14_2_a_slot_beyond_the_booking_window_is_refused_by_the_page(client, person, far_slot):
    client.force_login(person)
    response = client.post(reverse("vaccination:book"), {"slot": far_slot.pk}, follow=True)

    assert not Appointment.objects.exists()
    assert "not open for booking yet" in response.content.decode()


def test_14_2_a_slot_beyond_the_booking_window_is_refused_by_the_api(person, far_slot):
    response = bearer(person).post("/api/v1/appointments/", {"slot": far_slot.pk}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_offered"
    assert not Appointment.objects.exists()


def test_14_2_an_appointment_cannot_be_moved_beyond_the_booking_window_by_the_api(person, slot, far_slot):
    appointment = book(person=person, slot=slot)

    response = bearer(person).post(
        f"/api/v1/appointments/{appointment.pk}/reschedule/", {"slot": far_slot.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_offered"
    appointment.refresh_from_db()
    assert appointment.slot == slot


def test_14_2_an_appointment_cannot_be_moved_beyond_the_booking_window_by_the_page(client, person, slot, far_slot):
    appointment = book(person=person, slot=slot)
    client.force_login(person)

    client.post(reverse("vaccination:appointment-reschedule", args=[appointment.pk]), {"slot": far_slot.pk})

    appointment.refresh_from_db()
    assert appointment.slot == slot


def test_14_2_the_last_day_of_the_window_is_still_bookable(person, make_slot):
    with time_machine.travel(at(date(2026, 11, 20), 10), tick=False):
        last_day = make_slot(at(date(2026, 11, 20) + timedelta(days=13), 16))
        assert book(person=person, slot=last_day).slot == last_day


# 23.4 -------------------------------------------------------------------------

TODAY = date(2026, 11, 25)


@pytest.fixture
def missed_morning(person, make_slot, make_appointment):
    """`person` booked 09:00 today and never came."""
    with time_machine.travel(at(TODAY, 7), tick=False):
        return make_appointment(person, make_slot(at(TODAY, 9)))


@pytest.mark.parametrize("later", [at(TODAY, 16), at(TODAY + timedelta(days=1), 16)])
def test_23_4_a_missed_booking_does_not_block_a_new_one_today_or_tomorrow(person, make_slot, missed_morning, later):
    new_slot = make_slot(later)

    with time_machine.travel(at(TODAY, 12), tick=False):
        appointment = book(person=person, slot=new_slot)

    missed_morning.refresh_from_db()
    assert missed_morning.status == Appointment.Status.NO_SHOW
    assert appointment.status == Appointment.Status.BOOKED


def test_23_4_after_a_missed_booking_the_picker_offers_buttons_that_work(
    client, person, site, make_slot, missed_morning
):
    afternoon = make_slot(at(TODAY, 16))
    client.force_login(person)

    with time_machine.travel(at(TODAY, 12), tick=False):
        page = client.get(reverse("vaccination:book"), {"site": site.pk, "day": TODAY.isoformat()})
        html = page.content.decode()
        booked = client.post(reverse("vaccination:book"), {"slot": afternoon.pk})

    assert page.context["current"] is None
    assert f'name="slot" value="{afternoon.pk}"' in html
    assert "Move it to another time" not in html
    assert booked.status_code == 302
    assert Appointment.objects.get(person=person, status="booked").slot == afternoon


def test_23_4_while_the_grace_lasts_the_picker_offers_no_booking_and_no_move(client, person, site, missed_morning):
    client.force_login(person)

    with time_machine.travel(at(TODAY, 9, 30), tick=False):
        html = client.get(reverse("vaccination:book"), {"site": site.pk, "day": TODAY.isoformat()}).content.decode()

    # Still checkable at the desk: held, but it has started, so it cannot be moved.
    assert "You already have:" in html
    assert "Move it to another time" not in html


# 23.5 -------------------------------------------------------------------------


@pytest.fixture
def midnight_slot(person, site, make_slot, make_appointment, clinic_staff):
    site.staff.add(clinic_staff)
    with time_machine.travel(at(TODAY, 12), tick=False):
        return make_appointment(person, make_slot(at(TODAY, 23, 45), minutes=30))


def test_23_5_check_in_is_valid_while_a_slot_lasts_across_midnight(site, clinic_staff, midnight_slot):
    with time_machine.travel(at(TODAY + timedelta(days=1), 0, 5), tick=False):
        call_command("mark_no_shows")
        result = check_in(code=midnight_slot.code, desk_user=clinic_staff, site=site)

    assert result.reason == "checked_in"


def test_23_5_the_no_show_job_waits_for_the_slots_end_plus_the_grace(site, midnight_slot):
    # The slot ends at 00:15; the grace is an hour.
    with time_machine.travel(at(TODAY + timedelta(days=1), 1, 10), tick=False):
        call_command("mark_no_shows")
        midnight_slot.refresh_from_db()
        assert midnight_slot.status == Appointment.Status.BOOKED
    with time_machine.travel(at(TODAY + timedelta(days=1), 1, 20), tick=False):
        call_command("mark_no_shows")
    midnight_slot.refresh_from_db()
    assert midnight_slot.status == Appointment.Status.NO_SHOW


def test_23_5_an_early_arrival_the_day_before_is_still_the_wrong_day(site, clinic_staff, midnight_slot):
    with time_machine.travel(at(TODAY - timedelta(days=1), 23, 50), tick=False):
        assert check_in(code=midnight_slot.code, desk_user=clinic_staff, site=site).reason == "wrong_day"


def test_a_slot_in_another_zone_counts_its_day_at_its_own_clinic(person, make_slot, given_dose):
    # A dose in Madrid, the next at a clinic in the Canaries (an hour behind).
    canaries = Site.objects.create(name="Las Palmas", address="1 Triana", time_zone="Atlantic/Canary")
    given_dose(at(date(2026, 11, 2), 12))
    canary_nov_23 = make_slot(datetime(2026, 11, 23, 0, 30, tzinfo=ZoneInfo("Atlantic/Canary")), slot_site=canaries)

    with time_machine.travel(at(date(2026, 11, 20), 10), tick=False):
        assert book(person=person, slot=canary_nov_23).dose_number == 2
    assert Slot.objects.count() == 2


def test_23_4_a_missed_booking_reads_as_missed_on_the_persons_pages(client, person, missed_morning):
    client.force_login(person)

    with time_machine.travel(at(TODAY, 12), tick=False):
        listing = client.get(reverse("vaccination:appointment-list")).content.decode()
        detail = client.get(reverse("vaccination:appointment-detail", args=[missed_morning.pk])).content.decode()

    assert "No-show" in listing
    assert "No-show" in detail
