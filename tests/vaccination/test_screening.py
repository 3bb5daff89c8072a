"""Screening questions: answered after booking, seen and confirmed at the desk,
part of the personal-data download and deleted with the account."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.personal_data import delete_account, export
from vaccination.models import Appointment, ScreeningAnswer, ScreeningQuestion
from vaccination.services import book

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(vaccine):
    return [
        ScreeningQuestion.objects.create(
            vaccine=vaccine,
            order=1,
            text="Have you had a severe allergic reaction?",
            text_es="¿Ha tenido alergia grave?",
        ),
        ScreeningQuestion.objects.create(
            vaccine=vaccine, order=2, text="Do you have a cold?", yes_needs_clinician=False
        ),
    ]


@pytest.fixture
def booked(person, slot, questions, site, clinic_staff):
    site.staff.add(clinic_staff)
    return book(person=person, slot=slot)


def answer_url(appointment):
    return reverse("vaccination:appointment-screening", args=[appointment.pk])


def desk_url(appointment):
    return reverse("clinic:screening", args=[appointment.pk])


def test_booking_a_vaccine_with_questions_unanswered_leads_to_them_from_the_confirmation(
    client, person, slot, questions
):
    client.force_login(person)
    response = client.post(reverse("vaccination:book"), {"slot": slot.pk})
    appointment = Appointment.objects.get()
    assert response["Location"] == reverse("vaccination:appointment-booked", args=[appointment.pk])
    assert answer_url(appointment) in client.get(response["Location"]).content.decode()


def test_the_person_answers_and_the_desk_sees_a_yes_needing_a_clinician(
    client, person, clinic_staff, booked, questions
):
    client.force_login(person)
    page = client.get(answer_url(booked)).content.decode()
    assert questions[0].text in page

    response = client.post(answer_url(booked), {f"q{questions[0].pk}": "yes", f"q{questions[1].pk}": "no"})

    assert response["Location"] == reverse("vaccination:appointment-detail", args=[booked.pk])
    assert {a.question_id: a.answer for a in ScreeningAnswer.objects.all()} == {
        questions[0].pk: True,
        questions[1].pk: False,
    }
    client.force_login(clinic_staff)
    desk = client.get(reverse("clinic:appointment", args=[booked.pk])).content.decode()
    assert "Needs a clinician" in desk


def test_the_questions_are_in_the_persons_language(client, person, booked, questions):
    client.force_login(person)
    with translation.override("es"):
        assert questions[0].localized_text == "¿Ha tenido alergia grave?"
        assert questions[1].localized_text == "Do you have a cold?"  # not translated: English


def test_unanswered_questions_are_refused_and_nothing_is_saved(client, person, booked, questions):
    client.force_login(person)
    response = client.post(answer_url(booked), {f"q{questions[0].pk}": "yes"})
    assert response.status_code == 200
    assert not ScreeningAnswer.objects.exists()


def test_the_nurse_confirms_or_corrects_the_answers(client, clinic_staff, booked, questions):
    client.force_login(clinic_staff)
    assert client.get(desk_url(booked)).status_code == 200
    client.post(desk_url(booked), {f"q{questions[0].pk}": "no", f"q{questions[1].pk}": "yes"})
    answers = {a.question_id: a for a in ScreeningAnswer.objects.all()}
    assert answers[questions[0].pk].answer is False
    assert answers[questions[1].pk].confirmed_by == clinic_staff


def test_another_persons_answers_are_not_found(client, other_person, booked, clinic_staff, fleet_manager):
    client.force_login(other_person)
    assert client.get(answer_url(booked)).status_code == 404
    assert client.get(desk_url(booked)).status_code == 403
    booked.slot.site.staff.remove(clinic_staff)
    client.force_login(clinic_staff)
    assert client.get(desk_url(booked)).status_code == 404


def test_the_screening_pages_need_a_sign_in_and_refuse_other_methods(client, person, booked):
    assert client.get(answer_url(booked)).status_code == 302
    client.force_login(person)
    assert client.put(answer_url(booked)).status_code == 405


def test_answers_are_in_the_download_and_deleted_with_the_account(person, booked, questions):
    ScreeningAnswer.objects.create(appointment=booked, question=questions[0], answer=True)
    data = export(person)
    assert data["appointments"][0]["screening"] == [
        {
            "question": questions[0].text,
            "answer": True,
            "answered_at": data["appointments"][0]["screening"][0]["answered_at"],
        }
    ]

    delete_account(user=person)

    assert not ScreeningAnswer.objects.exists()
    assert Appointment.objects.get(pk=booked.pk).status == Appointment.Status.CANCELLED
