# ruff: noqa: F811 (the fixtures imported from the first file are used as arguments)
"""The offline desk, continued (issue 18): dose records entered offline sync
after their check-in, the roster carries screening flags and the lots on
hand, and a sync costs a bounded number of queries per scan."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from stock import services as stock
from stock.models import Lot, StockMovement

# The first file's fixtures too (frozen time, site, vaccine, today, desk).
from tests.api.test_checkin_offline import NOW, ROSTER, book, desk, frozen, scan, site, sync, today, vaccine  # noqa: F401
from tests.factories import UserFactory
from vaccination.models import Appointment, CheckInLog, ScreeningAnswer, ScreeningQuestion, Site

pytestmark = pytest.mark.django_db


def dose(code, lot, *, minutes_ago=3, attempt=None):
    return {**scan(code, minutes_ago=minutes_ago, attempt=attempt), "kind": "dose", "lot": lot}


@pytest.fixture
def lot(vaccine, site, clinic_staff):
    """A lot with 10 doses on hand at the desk's clinic."""
    lot = Lot.objects.create(vaccine=vaccine, number="FK1234", expires_on=NOW.date() + timedelta(days=90))
    stock.receive(lot=lot, quantity=10, site=site, by=clinic_staff)
    return lot


# Dose records


def test_a_dose_entered_offline_is_recorded_after_its_check_in_at_the_time_it_was_entered(
    desk, site, today, lot, clinic_staff
):
    response = sync(desk, site, [scan(today.code, minutes_ago=9), dose(today.code, "fk1234", minutes_ago=4)])

    assert response.status_code == 200
    checked, given = response.json()
    assert (checked["kind"], checked["result"]) == ("scan", "checked_in")
    assert (given["kind"], given["result"], given["ok"]) == ("dose", "dose_recorded", True)
    assert given["headline"] == "Dose recorded"
    assert given["message"] == "Lot FK1234, at 09:56."
    today.refresh_from_db()
    assert today.dose_given_at == NOW - timedelta(minutes=4)
    assert (today.vaccine_lot, today.dose_given_by) == ("FK1234", clinic_staff)
    # The dose came out of the clinic's stock, at the time it was given.
    movement = StockMovement.objects.get(kind=StockMovement.Kind.ADMINISTERED)
    assert (movement.appointment_id, movement.at, movement.quantity) == (today.pk, NOW - timedelta(minutes=4), -1)


def test_a_replayed_dose_gets_its_first_answer_and_takes_one_dose_only(desk, site, today, lot):
    batch = [scan(today.code), dose(today.code, "FK1234")]
    sync(desk, site, batch)

    again = sync(desk, site, batch).json()

    assert [(a["result"], a["repeated"]) for a in again] == [("checked_in", True), ("dose_recorded", True)]
    assert again[1]["message"] == "Lot FK1234, at 09:57."
    assert StockMovement.objects.filter(kind=StockMovement.Kind.ADMINISTERED).count() == 1
    assert CheckInLog.objects.count() == 2


def test_a_dose_for_a_code_whose_check_in_was_refused_is_a_conflict(desk, site, today, lot):
    Appointment.objects.filter(pk=today.pk).update(status=Appointment.Status.CANCELLED)

    checked, given = sync(desk, site, [scan(today.code), dose(today.code, "FK1234")]).json()

    assert checked["result"] == "cancelled"
    assert (given["result"], given["ok"], given["headline"]) == ("not_checked_in", False, "Dose not recorded")
    assert given["message"].startswith("This appointment is not checked in")
    assert not StockMovement.objects.filter(kind=StockMovement.Kind.ADMINISTERED).exists()


def test_a_dose_already_recorded_by_another_desk_is_a_conflict_and_keeps_the_first(desk, site, today, lot):
    other_nurse = UserFactory(first_name="Olga", last_name="Other", roles=[Role.CLINIC_STAFF])
    site.staff.add(other_nurse)
    other_desk = APIClient()
    other_desk.force_login(other_nurse)
    sync(other_desk, site, [scan(today.code, minutes_ago=8), dose(today.code, "FK1234", minutes_ago=6)])

    _checked, given = sync(desk, site, [scan(today.code, minutes_ago=7), dose(today.code, "FK1234")]).json()

    assert given["result"] == "dose_given"
    today.refresh_from_db()
    assert today.dose_given_by == other_nurse
    assert StockMovement.objects.filter(kind=StockMovement.Kind.ADMINISTERED).count() == 1


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"status": Lot.Status.QUARANTINED}, "quarantined"),
        ({"expires_on": NOW.date() - timedelta(days=1)}, "expired"),
    ],
)
def test_a_dose_from_a_lot_the_clinic_may_not_use_is_refused_with_the_stock_words(
    desk, site, today, lot, change, words
):
    Lot.objects.filter(pk=lot.pk).update(**change)

    _checked, given = sync(desk, site, [scan(today.code), dose(today.code, "FK1234")]).json()

    assert given["result"] == "lot_refused"
    assert words in given["message"]
    today.refresh_from_db()
    assert today.is_checked_in
    assert today.dose_given_at is None
    # The refusal is the answer a replay gets too.
    (again,) = sync(desk, site, [dose(today.code, "FK1234", attempt=given["attempt"])]).json()
    assert (again["result"], again["repeated"], again["message"]) == ("lot_refused", True, given["message"])


def test_a_dose_from_a_lot_on_hand_at_another_clinic_only_is_refused(desk, site, today, lot, vaccine, clinic_staff):
    elsewhere_lot = Lot.objects.create(vaccine=vaccine, number="ZZ999", expires_on=NOW.date() + timedelta(days=90))
    elsewhere = Site.objects.create(name="Elsewhere", address="2 Road")
    stock.receive(lot=elsewhere_lot, quantity=5, site=elsewhere, by=clinic_staff)

    _checked, given = sync(desk, site, [scan(today.code), dose(today.code, "ZZ999")]).json()

    assert given["result"] == "lot_refused"
    assert "No dose of lot ZZ999 is left here" in given["message"]


def test_a_dose_for_an_appointment_at_a_clinic_the_nurse_does_not_work_at_is_unknown(desk, site, vaccine, lot):
    elsewhere = Site.objects.create(name="Elsewhere", address="2 Road", time_zone="Europe/Madrid")
    theirs = book(elsewhere, vaccine, NOW.replace(hour=11))
    Appointment.objects.filter(pk=theirs.pk).update(status=Appointment.Status.CHECKED_IN, checked_in_at=NOW)

    (given,) = sync(desk, site, [dose(theirs.code, "FK1234")]).json()

    assert given["result"] == "unknown"
    theirs.refresh_from_db()
    assert theirs.dose_given_at is None


def test_a_dose_without_a_lot_refuses_the_batch_whole(desk, site, today):
    response = sync(desk, site, [scan(today.code), dose(today.code, "  ")])

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_lot"
    assert "Dose record 2" in response.json()["error"]["message"]
    today.refresh_from_db()
    assert today.status == Appointment.Status.BOOKED


def test_an_item_of_an_unknown_kind_is_refused(desk, site, today):
    response = sync(desk, site, [{**scan(today.code), "kind": "undo"}])
    assert response.status_code == 400
    assert not CheckInLog.objects.exists()


# The roster


def test_the_roster_flags_the_screening_answers_that_need_a_clinician(desk, site, vaccine, today, clinic_staff):
    allergy = ScreeningQuestion.objects.create(vaccine=vaccine, text="Severe allergy?", text_es="¿Alergia grave?")
    cold = ScreeningQuestion.objects.create(vaccine=vaccine, text="A cold today?", yes_needs_clinician=False)
    retired = ScreeningQuestion.objects.create(vaccine=vaccine, text="Old question?", is_active=False)
    for question in (allergy, cold, retired):
        ScreeningAnswer.objects.create(appointment=today, question=question, answer=True)
    calm = book(site, vaccine, NOW.replace(hour=12))
    ScreeningAnswer.objects.create(appointment=calm, question=allergy, answer=False)

    rows = {row["code"]: row for row in desk.get(f"{ROSTER}?site={site.pk}").json()["appointments"]}
    clinic_staff.language = "es"
    clinic_staff.save(update_fields=["language"])
    spanish = desk.get(f"{ROSTER}?site={site.pk}").json()["appointments"]

    assert rows[today.code]["flags"] == ["Severe allergy?"]
    assert rows[calm.code]["flags"] == []
    assert next(row for row in spanish if row["code"] == today.code)["flags"] == ["¿Alergia grave?"]


def test_the_roster_offers_the_lots_on_hand_at_the_clinic_for_the_offline_dose(desk, site, vaccine, today, lot):
    Lot.objects.create(vaccine=vaccine, number="OLD1", expires_on=NOW.date() - timedelta(days=2))

    body = desk.get(f"{ROSTER}?site={site.pk}").json()

    (offered,) = body["lots"]["Comirnaty"]
    assert offered["lot"] == "FK1234"
    assert "10 left" in offered["label"]


def test_the_roster_leaves_the_lot_to_be_typed_where_no_stock_is_kept(desk, site, today):
    assert desk.get(f"{ROSTER}?site={site.pk}").json()["lots"] == {"Comirnaty": None}


def test_the_roster_with_flags_and_lots_costs_the_same_queries_for_one_or_many_appointments(
    desk, site, vaccine, today, lot, django_assert_max_num_queries
):
    question = ScreeningQuestion.objects.create(vaccine=vaccine, text="Severe allergy?")
    ScreeningAnswer.objects.create(appointment=today, question=question, answer=True)
    with django_assert_max_num_queries(14):
        desk.get(f"{ROSTER}?site={site.pk}")
    for minutes in range(20):
        other = book(site, vaccine, NOW.replace(hour=12) + timedelta(minutes=minutes))
        ScreeningAnswer.objects.create(appointment=other, question=question, answer=True)
    with django_assert_max_num_queries(14):
        response = desk.get(f"{ROSTER}?site={site.pk}")
    assert sum(bool(row["flags"]) for row in response.json()["appointments"]) == 21


# What a sync costs


def many_today(site, vaccine, count):
    return [book(site, vaccine, NOW.replace(hour=11) + timedelta(minutes=i)) for i in range(count)]


@pytest.mark.parametrize("count", [5, 40])
def test_a_sync_costs_a_few_queries_per_new_scan_and_a_constant_number_for_a_replay(
    desk, site, vaccine, count, django_assert_max_num_queries
):
    appointments = many_today(site, vaccine, count)
    batch = [scan(a.code) for a in appointments]

    # A check-in is its UPDATE, its audit row and its log row (in a savepoint):
    # seven statements with its own transaction's savepoint in a test (14 before).
    with django_assert_max_num_queries(12 + 7 * count):
        answers = sync(desk, site, batch).json()
    assert [a["result"] for a in answers] == ["checked_in"] * count

    with django_assert_max_num_queries(15):
        again = sync(desk, site, batch).json()
    assert all(a["repeated"] for a in again)


def test_a_sync_of_scans_already_checked_in_elsewhere_reads_who_did_it_once(
    desk, site, vaccine, django_assert_max_num_queries
):
    appointments = many_today(site, vaccine, 30)
    other_nurse = UserFactory(first_name="Olga", last_name="Other", roles=[Role.CLINIC_STAFF])
    site.staff.add(other_nurse)
    other_desk = APIClient()
    other_desk.force_login(other_nurse)
    sync(other_desk, site, [scan(a.code, minutes_ago=9) for a in appointments])

    # A refused scan is its log row (in a savepoint) in its own transaction.
    with django_assert_max_num_queries(12 + 5 * 30):
        answers = sync(desk, site, [scan(a.code) for a in appointments]).json()

    assert {a["message"] for a in answers} == {"At 09:51 by Olga Other."}
