from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.models import NO_MAILBOX_DOMAIN, User
from standby.errors import StandbyError
from standby.walkins import register_walk_in
from tests.factories import UserFactory
from vaccination.models import Appointment

pytestmark = pytest.mark.django_db
URL = "/clinic/walk-in/"
BIRTH = date(1980, 5, 17)


def details(**overrides):
    return {"first_name": "Wanda", "last_name": "Walker", "date_of_birth": BIRTH, **overrides}


def test_a_walk_in_takes_the_next_free_seat_today_and_is_checked_in(
    frozen, site, vaccine, clinic_staff, make_slot, at_clinic
):
    make_slot(at_clinic(11, 30))  # started: not for a walk-in
    full = make_slot(at_clinic(12, 15), capacity=1)
    Appointment.objects.create(person=UserFactory(), slot=full)
    full.booked_count = 1
    full.save()
    later = make_slot(at_clinic(12, 30))

    appointment = register_walk_in(site=site, vaccine=vaccine, desk_user=clinic_staff, **details())

    assert appointment.slot == later
    assert appointment.status == Appointment.Status.CHECKED_IN
    assert appointment.source == Appointment.Source.WALK_IN
    assert appointment.checked_in_by == clinic_staff
    person = appointment.person
    assert person.email.endswith(NO_MAILBOX_DOMAIN)
    assert not person.has_usable_password()
    later.refresh_from_db()
    assert later.booked_count == 1


def test_a_walk_in_with_no_seat_today_is_told_the_next_free_seat_and_nothing_is_made(
    frozen, site, vaccine, clinic_staff, make_slot, at_clinic
):
    make_slot(at_clinic(9, days=1))
    people = User.objects.count()

    with pytest.raises(StandbyError) as refused:
        register_walk_in(site=site, vaccine=vaccine, desk_user=clinic_staff, **details())

    assert refused.value.code == "no_seat_today_next"
    assert refused.value.params["when"] == at_clinic(9, days=1)
    assert User.objects.count() == people


def test_a_walk_in_matching_someone_by_name_and_birth_is_shown_not_duplicated(
    frozen, site, vaccine, clinic_staff, make_slot, at_clinic
):
    make_slot(at_clinic(13))
    known = UserFactory(first_name="wanda", last_name="WALKER", date_of_birth=BIRTH)

    with pytest.raises(StandbyError) as refused:
        register_walk_in(site=site, vaccine=vaccine, desk_user=clinic_staff, **details())
    assert refused.value.code == "possible_duplicate"
    assert refused.value.matches == [known]

    appointment = register_walk_in(site=site, vaccine=vaccine, desk_user=clinic_staff, person=known, **details())
    assert appointment.person == known
    assert User.objects.filter(last_name__iexact="walker").count() == 1


def test_a_walk_in_matching_by_email_is_shown(frozen, site, vaccine, clinic_staff, make_slot, at_clinic):
    make_slot(at_clinic(13))
    known = UserFactory(email="wanda@example.org")

    with pytest.raises(StandbyError) as refused:
        register_walk_in(
            site=site, vaccine=vaccine, desk_user=clinic_staff, **details(email="Wanda@Example.org", last_name="X")
        )

    assert refused.value.matches == [known]


def test_a_walk_in_cannot_pick_a_person_who_does_not_match(
    frozen, site, vaccine, clinic_staff, make_slot, at_clinic, other_person
):
    make_slot(at_clinic(13))
    with pytest.raises(StandbyError) as refused:
        register_walk_in(site=site, vaccine=vaccine, desk_user=clinic_staff, person=other_person, **details())
    assert refused.value.code == "not_a_match"
    assert not Appointment.objects.exists()


def test_a_walk_in_born_in_the_future_is_refused(frozen, site, vaccine, clinic_staff, make_slot, at_clinic):
    make_slot(at_clinic(13))
    with pytest.raises(StandbyError) as refused:
        register_walk_in(
            site=site,
            vaccine=vaccine,
            desk_user=clinic_staff,
            **details(date_of_birth=site.today() + timedelta(days=1)),
        )
    assert refused.value.code == "future_birth"
    assert not Appointment.objects.exists()


def test_a_walk_in_already_holding_a_booking_is_told_its_code(
    frozen, site, vaccine, clinic_staff, make_slot, at_clinic
):
    known = UserFactory(first_name="Wanda", last_name="Walker", date_of_birth=BIRTH)
    held = Appointment.objects.create(person=known, slot=make_slot(at_clinic(10, days=3)))
    make_slot(at_clinic(13))

    with pytest.raises(StandbyError) as refused:
        register_walk_in(site=site, vaccine=vaccine, desk_user=clinic_staff, person=known, **details())

    assert refused.value.code == "holds_booking"
    assert refused.value.params["booking"] == held.code


def post(client, site, vaccine, **overrides):
    data = {
        "site": site.pk,
        "first_name": "Wanda",
        "last_name": "Walker",
        "date_of_birth": BIRTH.isoformat(),
        "phone": "",
        "email": "",
        "vaccine": vaccine.pk,
        **overrides,
    }
    return client.post(URL, data)


def test_the_walk_in_page_registers_and_opens_the_appointment_for_the_dose(
    client, frozen, site, vaccine, clinic_staff, make_slot, at_clinic
):
    make_slot(at_clinic(13))
    client.force_login(clinic_staff)

    assert client.get(URL).status_code == 200
    response = post(client, site, vaccine)

    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("clinic:appointment", args=[appointment.pk])


def test_the_walk_in_page_shows_possible_duplicates_with_a_button_each(
    client, frozen, site, vaccine, clinic_staff, make_slot, at_clinic
):
    make_slot(at_clinic(13))
    known = UserFactory(first_name="Wanda", last_name="Walker", date_of_birth=BIRTH)
    client.force_login(clinic_staff)

    response = post(client, site, vaccine)
    assert response.status_code == 200
    assert f'name="person" value="{known.pk}"' in response.content.decode()

    response = post(client, site, vaccine, person=known.pk)
    assert Appointment.objects.get().person == known


def test_the_walk_in_page_refuses_a_future_birth_date_with_a_message(
    client, frozen, site, vaccine, clinic_staff, make_slot, at_clinic
):
    make_slot(at_clinic(13))
    client.force_login(clinic_staff)
    response = post(client, site, vaccine, date_of_birth=(site.today() + timedelta(days=2)).isoformat())
    assert "cannot be in the future" in response.content.decode()
    assert not Appointment.objects.exists()


def test_the_walk_in_page_is_for_clinic_staff(client, person):
    assert client.get(URL).status_code == 302
    client.force_login(person)
    assert client.get(URL).status_code == 403


def test_the_walk_in_page_refuses_other_methods(client, clinic_staff):
    client.force_login(clinic_staff)
    assert client.put(URL).status_code == 405
