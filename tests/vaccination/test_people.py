"""People a person cares for: added, booked for, moved, cancelled, their
record seen by the carer only; later given their own login."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.dependents import DependentError, add_dependent, give_own_login
from accounts.models import NO_MAILBOX_DOMAIN
from accounts.personal_data import delete_account, export
from vaccination.models import Appointment
from vaccination.services import book

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(person):
    return add_dependent(
        carer=person, first_name="Kim", last_name="Person", date_of_birth=date(2015, 3, 1), relationship="daughter"
    )


def test_a_dependent_is_a_person_without_a_login_cared_for_by_the_carer(person, child):
    assert child.carer == person
    assert child.email.endswith(NO_MAILBOX_DOMAIN)
    assert not child.has_usable_password()
    assert child.contact_email == person.email


def test_a_dependent_born_in_the_future_is_refused(person):
    with pytest.raises(DependentError) as refused:
        add_dependent(carer=person, first_name="A", last_name="B", date_of_birth=date.today() + timedelta(days=3))
    assert refused.value.code == "future_birth"
    assert not person.dependents.exists()


def test_the_carer_books_for_the_dependent_who_holds_their_own_appointment(client, person, child, slot, make_slot):
    book(person=person, slot=make_slot(slot.start + timedelta(hours=1)))  # the carer's own
    client.force_login(person)
    url = reverse("vaccination:book-for", args=[child.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"slot": slot.pk})

    appointment = Appointment.objects.get(person=child)
    assert response["Location"] == reverse("vaccination:appointment-booked", args=[appointment.pk])
    assert appointment.code != Appointment.objects.get(person=person).code
    page = client.get(reverse("vaccination:appointment-list")).content.decode()
    assert "Kim Person" in page
    assert client.get(reverse("vaccination:appointment-detail", args=[appointment.pk])).status_code == 200


def test_the_carer_moves_and_cancels_for_the_dependent(client, person, child, slot, make_slot, mailoutbox):
    appointment = book(person=child, slot=slot)
    later = make_slot(slot.start + timedelta(hours=2))
    client.force_login(person)

    client.post(reverse("vaccination:appointment-reschedule", args=[appointment.pk]), {"slot": later.pk})
    appointment.refresh_from_db()
    assert appointment.slot == later
    client.post(reverse("vaccination:appointment-cancel", args=[appointment.pk]))
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED


def test_emails_about_a_dependent_go_to_the_carer(person, child, slot, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        book(person=child, slot=slot)
    assert [message.to for message in mailoutbox] == [[person.email]]


def test_someone_elses_dependent_is_not_found(client, other_person, child, slot):
    appointment = book(person=child, slot=slot)
    client.force_login(other_person)
    for url in (
        reverse("vaccination:book-for", args=[child.pk]),
        reverse("vaccination:person-record", args=[child.pk]),
        reverse("vaccination:appointment-detail", args=[appointment.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("vaccination:book-for", args=[child.pk]), {"slot": slot.pk}).status_code == 404
    assert (
        client.post(reverse("vaccination:person-login", args=[child.pk]), {"email": "x@example.org"}).status_code == 404
    )
    assert Appointment.objects.count() == 1


def test_the_people_page_adds_lists_and_refuses_a_future_birth(client, person):
    client.force_login(person)
    assert client.get(reverse("vaccination:people")).status_code == 200
    data = {"first_name": "Kim", "last_name": "Person", "date_of_birth": "2015-03-01", "relationship": "daughter"}
    assert client.post(reverse("vaccination:people"), data).status_code == 302
    assert "Kim Person" in client.get(reverse("vaccination:people")).content.decode()
    future = {**data, "date_of_birth": (date.today() + timedelta(days=5)).isoformat()}
    assert "cannot be in the future" in client.post(reverse("vaccination:people"), future).content.decode()
    assert person.dependents.count() == 1


def test_the_people_pages_need_a_sign_in_and_the_right_method(client, person, child):
    assert client.get(reverse("vaccination:people")).status_code == 302
    client.force_login(person)
    assert client.get(reverse("vaccination:person-login", args=[child.pk])).status_code == 405


def test_a_dependent_given_their_own_login_keeps_their_history(client, person, child, slot):
    appointment = book(person=child, slot=slot)
    client.force_login(person)

    client.post(reverse("vaccination:person-login", args=[child.pk]), {"email": "Kim@Example.org"})

    child.refresh_from_db()
    assert (child.email, child.carer) == ("kim@example.org", None)
    assert Appointment.objects.get(pk=appointment.pk).person == child
    assert client.get(reverse("vaccination:appointment-detail", args=[appointment.pk])).status_code == 404
    with pytest.raises(DependentError):
        give_own_login(dependent=child, email="again@example.org")


def test_the_carers_download_lists_their_people_and_deleting_the_account_removes_them(person, child, slot):
    book(person=child, slot=slot)
    assert export(person)["people_you_care_for"][0]["profile"]["first_name"] == "Kim"

    delete_account(user=person)

    child.refresh_from_db()
    assert not child.is_active
    assert child.first_name == ""
    assert Appointment.objects.get(person=child).status == Appointment.Status.CANCELLED


def test_the_people_page_costs_the_same_queries_with_one_person_or_many(
    client, person, child, slot, django_assert_max_num_queries
):
    book(person=child, slot=slot)
    client.force_login(person)
    with django_assert_max_num_queries(12):
        client.get(reverse("vaccination:people"))
    for n in range(5):
        add_dependent(carer=person, first_name=f"Kid{n}", last_name="Person", date_of_birth=date(2018, 1, 1))
    with django_assert_max_num_queries(12):
        client.get(reverse("vaccination:people"))
