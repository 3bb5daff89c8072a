"""Check your booking, then Booking complete: the summary before booking
(with the vaccine's screening questions) and the confirmation panel after."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.dependents import add_dependent
from tests.factories import UserFactory
from vaccination import services
from vaccination.forms import SlotForm
from vaccination.models import Appointment, ScreeningAnswer, ScreeningQuestion, Slot

CHECK = reverse("vaccination:book-check")
BOOK = reverse("vaccination:book")


@pytest.fixture
def questions(vaccine):
    return [
        ScreeningQuestion.objects.create(vaccine=vaccine, order=1, text="Have you had a severe allergic reaction?"),
        ScreeningQuestion.objects.create(vaccine=vaccine, order=2, text="Do you have a fever today?"),
    ]


def _child_of(carer):
    return add_dependent(carer=carer, first_name="Kim", last_name="Child", date_of_birth=date(2015, 3, 1))


def test_the_picker_leads_to_the_check_page(client, person, slot):
    client.force_login(person)

    page = client.get(BOOK, {"site": slot.site_id}).content.decode()

    assert f'<form id="slot-form" method="get" action="{CHECK}"></form>' in page


def test_the_check_page_sums_up_who_what_where_when_and_which_dose(client, person, slot):
    client.force_login(person)

    response = client.get(CHECK, {"slot": slot.pk})

    page = response.content.decode()
    day = timezone.localtime(slot.start, slot.site.tzinfo)
    assert response.status_code == 200
    assert '<h1 class="mb-3">Check your booking</h1>' in page
    assert person.get_full_name() in page
    assert "Comirnaty, dose 1" in page
    assert "Central Clinic" in page
    assert "1 Main Street<br>Madrid" in page
    assert "09:00\N{EN DASH}09:15" in page
    assert str(day.day) in page
    assert page.count('">Change<span class="visually-hidden">') == 4
    assert f'action="{BOOK}"' in page
    assert f'name="slot" value="{slot.pk}"' in page
    assert not Appointment.objects.exists()  # looking books nothing


def test_an_anonymous_visitor_sees_the_summary_and_its_book_button_posts_the_slot(client, slot):
    response = client.get(CHECK, {"slot": slot.pk})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Central Clinic" in page
    assert f'action="{BOOK}"' in page
    assert f'name="slot" value="{slot.pk}"' in page
    assert "Next you sign in or create an account" in page


def test_booking_for_someone_else_checks_with_their_name_and_books_for_them(client, person, slot):
    child = _child_of(person)
    client.force_login(person)
    check = reverse("vaccination:book-for-check", args=[child.pk])

    page = client.get(check, {"slot": slot.pk}).content.decode()
    response = client.post(reverse("vaccination:book-for", args=[child.pk]), {"slot": slot.pk, "screening": "1"})

    assert "Kim Child" in page
    assert f'action="{reverse("vaccination:book-for", args=[child.pk])}"' in page
    appointment = Appointment.objects.get(person=child)
    assert response["Location"] == reverse("vaccination:appointment-booked", args=[appointment.pk])


def test_booking_for_someone_asks_a_visitor_to_sign_in_and_come_back_to_the_check_page(client, person, slot):
    check = reverse("vaccination:book-for-check", args=[_child_of(person).pk]) + f"?slot={slot.pk}"

    response = client.get(check)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=" + check.replace("?", "%3F").replace("=", "%3D")


def test_the_check_page_for_someone_elses_dependent_is_not_found(client, person, other_person, slot):
    client.force_login(other_person)

    response = client.get(reverse("vaccination:book-for-check", args=[_child_of(person).pk]), {"slot": slot.pk})

    assert response.status_code == 404


def test_a_full_time_goes_back_to_the_picker_with_the_reason(client, person, make_slot, make_appointment):
    full = make_slot(capacity=1)
    make_appointment(UserFactory(), full)
    client.force_login(person)

    response = client.get(CHECK, {"slot": full.pk}, follow=True)

    assert response.redirect_chain[0][0].startswith(BOOK + f"?site={full.site_id}")
    assert "This time was just taken, pick another." in response.content.decode()


@pytest.mark.parametrize("slot_id", ["999999", "nonsense", ""])
def test_a_time_that_does_not_exist_goes_back_to_the_picker(client, person, slot_id):
    client.force_login(person)

    response = client.get(CHECK, {"slot": slot_id}, follow=True)

    assert response.redirect_chain == [(BOOK, 302)]


def test_a_vaccine_already_held_is_refused_on_the_check_page(client, person, slot, make_slot):
    services.book(person=person, slot=slot)
    later = make_slot(start=timezone.now() + timedelta(days=2))
    client.force_login(person)

    response = client.get(CHECK, {"slot": later.pk}, follow=True)

    assert "You already have a booked appointment for this vaccine" in response.content.decode()


def test_the_check_page_takes_only_get(client, person, slot):
    client.force_login(person)

    assert client.post(CHECK, {"slot": slot.pk}).status_code == 405
    assert client.put(reverse("vaccination:book-for-check", args=[_child_of(person).pk])).status_code == 405


def test_the_screening_questions_are_asked_on_the_check_page_and_saved_with_the_booking(
    client, person, slot, questions
):
    client.force_login(person)

    page = client.get(CHECK, {"slot": slot.pk}).content.decode()
    client.post(BOOK, {"slot": slot.pk, "screening": "1", f"q{questions[0].pk}": "no", f"q{questions[1].pk}": "yes"})

    assert "Have you had a severe allergic reaction?" in page
    appointment = Appointment.objects.get(person=person)
    answers = dict(ScreeningAnswer.objects.filter(appointment=appointment).values_list("question_id", "answer"))
    assert answers == {questions[0].pk: False, questions[1].pk: True}


def test_missing_screening_answers_keep_the_check_page_and_book_nothing(client, person, slot, questions):
    client.force_login(person)

    response = client.post(BOOK, {"slot": slot.pk, "screening": "1", f"q{questions[0].pk}": "no"})

    assert response.status_code == 200
    assert "Answer yes or no." in response.content.decode()
    assert not Appointment.objects.exists()
    slot.refresh_from_db()
    assert slot.booked_count == 0


def test_a_plain_post_of_the_slot_still_books_and_asks_the_questions_afterwards(client, person, slot, questions):
    client.force_login(person)

    response = client.post(BOOK, {"slot": slot.pk})

    appointment = Appointment.objects.get(person=person)
    assert response["Location"] == reverse("vaccination:appointment-booked", args=[appointment.pk])
    panel = client.get(response["Location"]).content.decode()
    assert reverse("vaccination:appointment-screening", args=[appointment.pk]) in panel


def test_booking_complete_shows_the_code_what_to_bring_and_what_happens_next(client, person, slot):
    client.force_login(person)
    client.post(BOOK, {"slot": slot.pk, "screening": "1"})
    appointment = Appointment.objects.get(person=person)

    response = client.get(reverse("vaccination:appointment-booked", args=[appointment.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Booking complete" in page
    assert 'class="confirmation-code"' in page
    assert appointment.code in page
    assert "What to bring" in page
    assert "What happens next" in page
    assert reverse("vaccination:appointment-calendar", args=[appointment.pk]) in page
    assert "<svg" in page  # the QR code
    assert reverse("vaccination:appointment-screening", args=[appointment.pk]) not in page  # nothing to answer


def test_booking_complete_is_only_for_the_persons_own_appointment(client, person, other_person, slot):
    appointment = services.book(person=person, slot=slot)
    url = reverse("vaccination:appointment-booked", args=[appointment.pk])

    client.force_login(other_person)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code in (404, 405)
    client.logout()
    assert client.get(url)["Location"].startswith(reverse("account_login"))


def test_booking_complete_for_a_cancelled_appointment_shows_its_page_instead(client, person, slot):
    appointment = services.book(person=person, slot=slot)
    services.cancel(appointment=appointment, by=person)
    client.force_login(person)

    response = client.get(reverse("vaccination:appointment-booked", args=[appointment.pk]))

    assert response["Location"] == reverse("vaccination:appointment-detail", args=[appointment.pk])


def test_moving_an_appointment_checks_the_new_time_beside_the_old_one(client, person, slot, make_slot):
    appointment = services.book(person=person, slot=slot)
    later = make_slot(start=slot.start + timedelta(hours=2))
    client.force_login(person)
    move = reverse("vaccination:appointment-reschedule", args=[appointment.pk])
    check = reverse("vaccination:appointment-reschedule-check", args=[appointment.pk])

    picker = client.get(move, {"site": slot.site_id}).content.decode()
    page = client.get(check, {"slot": later.pk}).content.decode()
    client.post(move, {"slot": later.pk})

    assert f'<form id="slot-form" method="get" action="{check}"></form>' in picker
    assert "Check the new time" in page
    assert "09:00" in page
    assert "11:00" in page
    assert f'action="{move}"' in page
    appointment.refresh_from_db()
    assert appointment.slot == later


def test_checking_a_new_time_is_only_for_the_persons_own_appointment(client, person, other_person, slot):
    appointment = services.book(person=person, slot=slot)
    check = reverse("vaccination:appointment-reschedule-check", args=[appointment.pk])

    client.force_login(other_person)
    assert client.get(check, {"slot": slot.pk}).status_code == 404
    client.force_login(person)
    assert client.post(check, {"slot": slot.pk}).status_code == 405
    client.logout()
    assert client.get(check)["Location"].startswith(reverse("account_login"))


def test_a_slot_field_narrowed_to_some_slots_refuses_the_others(make_slot):
    offered, other = make_slot(), make_slot(timezone.now() + timedelta(days=2))
    form = SlotForm({"slot": str(other.pk)})
    form.fields["slot"].queryset = Slot.objects.filter(pk=offered.pk)

    assert not form.is_valid()
    assert SlotForm({"slot": str(other.pk)}).is_valid()
    assert not SlotForm({"slot": "99999999"}).is_valid()
    assert not SlotForm({"slot": "x1"}).is_valid()
