"""The check-in service: every answer a desk can give, code normalisation,
the same form sent twice, dose records and undo."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
import time_machine

from audit.models import AuditEvent
from tests.factories import UserFactory
from vaccination import checkin
from vaccination.checkin import DeskError, check_in, normalize_code, record_dose, undo_check_in
from vaccination.models import Appointment, CheckInLog, Site

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=MADRID)  # a Wednesday


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def desk(clinic_staff, site):
    site.staff.add(clinic_staff)
    return clinic_staff


@pytest.fixture
def today_slot(make_slot):
    return make_slot(NOW.replace(hour=10, minute=30))


@pytest.fixture
def booked(person, today_slot, make_appointment):
    return make_appointment(person, today_slot)


def test_normalize_code_accepts_any_case_spaces_and_dashes():
    assert normalize_code("  abcd-efgh ") == "ABCDEFGH"
    assert normalize_code("ab cd ef gh") == "ABCDEFGH"
    assert normalize_code("AbCd_EfGh") == "ABCDEFGH"


def test_normalize_code_maps_no_look_alike_letters():
    # O and 0 are both outside the alphabet: guessing would risk someone else's code.
    assert normalize_code("o0i1l") == "O0I1L"
    assert not checkin.is_valid_code(normalize_code("ABCDEFG0"))


def test_check_in_of_a_booked_appointment_today_succeeds_and_records_who_when_and_where(desk, site, booked):
    result = check_in(code=booked.code.lower(), desk_user=desk, site=site)

    assert result.ok
    assert result.reason == "checked_in"
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CHECKED_IN
    assert booked.checked_in_at == NOW
    assert booked.checked_in_by == desk
    assert booked.checked_in_site == site
    assert booked.dose_given_at is None  # arriving is not being vaccinated
    log = CheckInLog.objects.get()
    assert (log.user, log.site, log.code, log.reason, log.appointment) == (
        desk,
        site,
        booked.code,
        "checked_in",
        booked,
    )


def test_check_in_with_dashes_and_spaces_in_the_code_succeeds(desk, site, booked):
    typed = f"{booked.code[:4].lower()} - {booked.code[4:]}"
    assert check_in(code=typed, desk_user=desk, site=site).ok
    assert CheckInLog.objects.get().typed == typed


def test_check_in_refuses_an_unknown_code_and_logs_it(desk, site):
    result = check_in(code="ZZZZ-ZZZZ", desk_user=desk, site=site)
    assert result.reason == "unknown"
    assert result.appointment is None
    assert CheckInLog.objects.get().reason == "unknown"


def test_check_in_refuses_a_malformed_code_as_unknown(desk, site):
    assert check_in(code="hello world!", desk_user=desk, site=site).reason == "unknown"


def test_check_in_refuses_a_cancelled_appointment(desk, site, person, today_slot, make_appointment):
    appointment = make_appointment(person, today_slot, status=Appointment.Status.CANCELLED)
    assert check_in(code=appointment.code, desk_user=desk, site=site).reason == "cancelled"


def test_check_in_refuses_a_no_show(desk, site, person, today_slot, make_appointment):
    appointment = make_appointment(person, today_slot, status=Appointment.Status.NO_SHOW)
    assert check_in(code=appointment.code, desk_user=desk, site=site).reason == "no_show"


def test_check_in_refuses_an_appointment_for_another_day(desk, site, person, make_slot, make_appointment):
    appointment = make_appointment(person, make_slot(NOW + timedelta(days=1)))
    result = check_in(code=appointment.code, desk_user=desk, site=site)
    assert result.reason == "wrong_day"
    assert result.appointment == appointment
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_check_in_refuses_yesterdays_appointment_as_missed(desk, site, person, make_slot, make_appointment):
    appointment = make_appointment(person, make_slot(NOW - timedelta(days=1)))
    assert check_in(code=appointment.code, desk_user=desk, site=site).reason == "no_show"


def test_check_in_accepts_a_late_arrival_within_the_grace_after_the_slot(
    desk, site, person, make_slot, make_appointment
):
    # 09:00-09:15, arriving at 10:00: within NO_SHOW_GRACE (an hour) of the end.
    appointment = make_appointment(person, make_slot(NOW.replace(hour=9)))
    assert check_in(code=appointment.code, desk_user=desk, site=site).ok


def test_check_in_refuses_an_arrival_after_the_grace_as_missed(desk, site, person, make_slot, make_appointment):
    appointment = make_appointment(person, make_slot(NOW.replace(hour=8)))
    assert check_in(code=appointment.code, desk_user=desk, site=site).reason == "no_show"


def test_check_in_refuses_another_sites_appointment(desk, site, person, make_slot, make_appointment):
    other = Site.objects.create(name="Other Clinic", address="2 Side Street", time_zone="Europe/Madrid")
    appointment = make_appointment(person, make_slot(NOW.replace(hour=11), slot_site=other))
    assert check_in(code=appointment.code, desk_user=desk, site=site).reason == "wrong_site"


def test_check_in_accepts_another_sites_appointment_when_the_staff_member_works_there_too(
    desk, site, person, make_slot, make_appointment
):
    other = Site.objects.create(name="Other Clinic", address="2 Side Street", time_zone="Europe/Madrid")
    other.staff.add(desk)
    appointment = make_appointment(person, make_slot(NOW.replace(hour=11), slot_site=other))
    assert check_in(code=appointment.code, desk_user=desk, site=site).ok
    appointment.refresh_from_db()
    assert appointment.checked_in_site == site  # where it happened


def test_a_second_scan_says_already_checked_in_and_changes_nothing(desk, site, booked, frozen):
    check_in(code=booked.code, desk_user=desk, site=site)
    frozen.shift(timedelta(minutes=5))
    nurse = UserFactory(first_name="Otto")
    site.staff.add(nurse)

    result = check_in(code=booked.code, desk_user=nurse, site=site)

    assert result.reason == "already_checked_in"
    assert result.appointment.checked_in_at == NOW
    assert result.appointment.checked_in_by == desk
    assert [log.reason for log in CheckInLog.objects.order_by("pk")] == ["checked_in", "already_checked_in"]


def test_the_same_form_sent_twice_gets_the_first_answer_again(desk, site, booked):
    attempt = checkin.new_attempt()
    first = check_in(code=booked.code, desk_user=desk, site=site, attempt=attempt)
    again = check_in(code=booked.code, desk_user=desk, site=site, attempt=attempt)

    assert first.ok
    assert again.ok
    assert again.repeated
    assert CheckInLog.objects.count() == 1


def test_the_same_form_sent_again_after_an_undo_changes_nothing(desk, site, booked):
    # The check-in's UPDATE would win again, but its log row collides with the
    # first: the whole scan (appointment, audit event, log) is undone and the
    # desk gets its first answer.
    attempt = checkin.new_attempt()
    check_in(code=booked.code, desk_user=desk, site=site, attempt=attempt)
    undo_check_in(appointment=booked, by=desk, note="Scanned the wrong person's phone", site=site)

    again = check_in(code=booked.code, desk_user=desk, site=site, attempt=attempt)

    assert again.ok
    assert again.repeated
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED
    assert [log.reason for log in CheckInLog.objects.order_by("pk")] == ["checked_in", "undone"]
    assert AuditEvent.objects.filter(action="check_in").count() == 1


def test_a_new_form_from_the_same_desk_is_a_new_scan(desk, site, booked):
    check_in(code=booked.code, desk_user=desk, site=site, attempt=checkin.new_attempt())
    again = check_in(code=booked.code, desk_user=desk, site=site, attempt=checkin.new_attempt())
    assert again.reason == "already_checked_in"


def test_the_same_form_after_the_retry_window_is_a_new_scan(desk, site, booked, frozen):
    attempt = checkin.new_attempt()
    check_in(code=booked.code, desk_user=desk, site=site, attempt=attempt)
    frozen.shift(checkin.RETRY_WINDOW + timedelta(seconds=1))
    again = check_in(code=booked.code, desk_user=desk, site=site, attempt=attempt)
    assert again.reason == "already_checked_in"
    assert CheckInLog.objects.count() == 2


def test_record_dose_keeps_the_lot_who_and_when(desk, site, booked, frozen):
    check_in(code=booked.code, desk_user=desk, site=site)
    frozen.shift(timedelta(minutes=7))

    appointment = record_dose(appointment=booked, lot=" FK1234 ", by=desk)

    assert appointment.vaccine_lot == "FK1234"
    assert appointment.dose_given_at == NOW + timedelta(minutes=7)
    assert appointment.dose_given_by == desk


def test_record_dose_twice_records_one_dose(desk, site, booked):
    check_in(code=booked.code, desk_user=desk, site=site)
    record_dose(appointment=booked, lot="FK1234", by=desk)
    with pytest.raises(DeskError) as error:
        record_dose(appointment=booked, lot="OTHER", by=desk)
    assert error.value.code == "dose_given"
    booked.refresh_from_db()
    assert booked.vaccine_lot == "FK1234"


def test_record_dose_refuses_an_appointment_not_checked_in(desk, booked):
    with pytest.raises(DeskError) as error:
        record_dose(appointment=booked, lot="FK1234", by=desk)
    assert error.value.code == "not_checked_in"


def test_undo_books_the_appointment_again_and_logs_who_when_and_why(desk, site, booked, frozen):
    check_in(code=booked.code, desk_user=desk, site=site)
    frozen.shift(timedelta(minutes=3))

    undo_check_in(appointment=booked, by=desk, note="Scanned the wrong person's phone", site=site)

    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED
    assert booked.checked_in_at is None
    assert booked.checked_in_by is None
    undo = CheckInLog.objects.get(action="undo")
    assert (undo.user, undo.at, undo.note) == (desk, NOW + timedelta(minutes=3), "Scanned the wrong person's phone")
    assert CheckInLog.objects.filter(action="scan", reason="checked_in").exists()  # kept, not deleted
    assert check_in(code=booked.code, desk_user=desk, site=site).ok  # can be checked in again


def test_undo_is_refused_after_the_window(desk, site, booked, frozen):
    check_in(code=booked.code, desk_user=desk, site=site)
    frozen.shift(checkin.UNDO_WINDOW + timedelta(seconds=1))
    with pytest.raises(DeskError) as error:
        undo_check_in(appointment=booked, by=desk, note="late", site=site)
    assert error.value.code == "undo_too_late"


def test_undo_is_refused_once_the_dose_is_recorded(desk, site, booked):
    check_in(code=booked.code, desk_user=desk, site=site)
    record_dose(appointment=booked, lot="FK1234", by=desk)
    with pytest.raises(DeskError) as error:
        undo_check_in(appointment=booked, by=desk, note="oops", site=site)
    assert error.value.code == "dose_given"


def test_undo_of_an_appointment_not_checked_in_is_refused(desk, site, booked):
    with pytest.raises(DeskError) as error:
        undo_check_in(appointment=booked, by=desk, note="oops", site=site)
    assert error.value.code == "not_checked_in"


def test_desk_sites_are_the_staff_members_own_and_all_for_a_superuser(desk, site, superuser):
    Site.objects.create(name="Other Clinic", address="2 Side Street")
    assert list(checkin.desk_sites(desk)) == [site]
    assert checkin.desk_sites(superuser).count() == 2


def test_today_is_the_booked_clinics_own_day_in_its_time_zone(desk, person, make_slot, make_appointment):
    # 10:00 in Madrid is 18:00 in Tokyo: 08:00 tomorrow in Tokyo is not today there, 20:00 today is.
    tokyo = Site.objects.create(name="Tokyo Clinic", address="1 Ginza", time_zone="Asia/Tokyo")
    tokyo.staff.add(desk)
    tomorrow_early = make_appointment(
        person, make_slot(datetime(2026, 11, 26, 8, tzinfo=tokyo.tzinfo), slot_site=tokyo)
    )
    assert check_in(code=tomorrow_early.code, desk_user=desk, site=tokyo).reason == "wrong_day"
    tonight = make_appointment(
        UserFactory(), make_slot(datetime(2026, 11, 25, 20, tzinfo=tokyo.tzinfo), slot_site=tokyo)
    )
    assert check_in(code=tonight.code, desk_user=desk, site=tokyo).ok


def test_a_scan_reads_the_desks_clinics_in_their_order_with_the_appointment_in_one_query(
    desk, site, booked, django_assert_num_queries
):
    for name in ("Zeta Clinic", "Alpha Clinic"):
        Site.objects.create(name=name, address="2 Side Street", time_zone="Europe/Madrid").staff.add(desk)
    Site.objects.create(name="Not Theirs", address="3 Side Street", time_zone="Europe/Madrid")
    checkin.desk_sites_and_appointment(desk, booked.code)  # compiled on first use

    with django_assert_num_queries(1):
        sites, found = checkin.desk_sites_and_appointment(desk, f" {booked.code.lower()} ")

    assert [s.name for s in sites] == [s.name for s in checkin.desk_site_list(desk)]
    assert [s.name for s in sites] == sorted(["Zeta Clinic", "Alpha Clinic", site.name])
    assert found.pk == booked.pk
    assert found.slot.site.pk == site.pk  # with what the check-in reads of it
    assert checkin.desk_sites_and_appointment(desk, "NOSUCH22")[1] is None
    assert checkin.desk_sites_and_appointment(desk, "not a code")[1] is None
    admin = UserFactory(is_superuser=True)
    assert len(checkin.desk_sites_and_appointment(admin, booked.code)[0]) == Site.objects.count()
