"""Pre-screening: each vaccine's yes/no questions, answered by the person
on the check page before booking (or after it, and changed until the day)
and confirmed or corrected by the nurse at check-in."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

import sqlprepared
from pagecache import fragments
from vaccination.models import CATALOGUE, Appointment, ScreeningAnswer, ScreeningQuestion


def questions_for(vaccine) -> list[ScreeningQuestion]:
    return _QUESTIONS.all(vaccine.pk)


# Compiled once (sqlprepared): the check page and every answered booking ask it.
_QUESTIONS = sqlprepared.Prepared(
    lambda vaccine_id: ScreeningQuestion.objects.filter(vaccine_id=vaccine_id, is_active=True).order_by("order", "pk"),
    sample=(918273645,),
)


def answers_of(appointment: Appointment, read=None) -> dict[int, ScreeningAnswer]:
    """The appointment's answers by question id (`read`: its rows of
    ANSWERS, when the caller read them with something else)."""
    answers = ANSWERS.all(appointment.pk) if read is None else read
    for answer in answers:
        answer.appointment = appointment  # as appointment.screening_answers gives them
    return {a.question_id: a for a in answers}


# Compiled once (sqlprepared): the desk shows them on every check-in.
ANSWERS = sqlprepared.Prepared(
    lambda appointment_id: ScreeningAnswer.objects.filter(appointment=appointment_id).select_related(
        "question", "confirmed_by"
    ),
    sample=(987654321,),
)


def record_answers(*, appointment: Appointment, answers: dict[int, bool], by, confirm: bool = False) -> None:
    """Write `answers` (question id -> yes/no) for `appointment`; with
    `confirm` (the nurse at the desk) every answer is marked confirmed by `by`."""
    now = timezone.now()
    with transaction.atomic():
        for question_id, answer in answers.items():
            defaults = {"answer": answer, "answered_at": now}
            if confirm:
                defaults.update({"confirmed_by": by, "confirmed_at": now})
            ScreeningAnswer.objects.update_or_create(
                appointment=appointment, question_id=question_id, defaults=defaults
            )


def for_desk(appointment: Appointment, read=None) -> dict:
    """What the desk shows of the appointment's screening: its answers with
    their questions (one query, or `read` as answers_of), and whether the
    vaccine asks any (active) question at all."""
    answers = sorted(answers_of(appointment, read).values(), key=lambda a: (a.question.order, a.question_id))
    return {"answers": answers, "asked": bool(answers) or asks_questions(appointment.slot.vaccine_id)}


# What asks_questions is kept under (questions bump CATALOGUE: vaccination.signals).
KEPT_UNDER = (CATALOGUE,)


def asks_questions(vaccine_id) -> bool:
    """Does the vaccine ask any active question? Kept in the page cache until
    the catalogue changes."""
    return fragments.cached_value(
        "vaccine-asks",
        KEPT_UNDER,
        (vaccine_id,),
        lambda: ScreeningQuestion.objects.filter(vaccine_id=vaccine_id, is_active=True).exists(),
    )


def after_booking_url(appointment: Appointment) -> str:
    """Where a new booking goes next: the confirmation panel (which asks for
    the screening answers if they were not given when booking)."""
    return reverse("vaccination:appointment-booked", kwargs={"pk": appointment.pk})


def unanswered(appointment: Appointment) -> bool:
    """Does the vaccine ask questions this appointment has no answer to yet?"""
    return (
        ScreeningQuestion.objects.filter(vaccine_id=appointment.slot.vaccine_id, is_active=True)
        .exclude(answers__appointment=appointment)
        .exists()
    )
