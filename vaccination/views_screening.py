"""Screening questions: the person answers them after booking; the desk
sees the answers and confirms or corrects them at check-in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.roles import Role, role_required
from vaccination import screening
from vaccination.forms import ScreeningForm
from vaccination.models import Appointment


def _screen(request, appointment, *, template, confirm, done):
    questions = screening.questions_for(appointment.slot.vaccine)
    answers = screening.answers_of(appointment)
    form = ScreeningForm(request.POST or None, questions=questions, answers=answers)
    if request.method == "POST" and form.is_valid():
        screening.record_answers(appointment=appointment, answers=form.answers(), by=request.user, confirm=confirm)
        messages.success(request, _("The answers are saved."))
        return done
    context = {"appointment": appointment, "form": form, "questions": questions}
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def appointment_screening(request, pk):
    """The person's (or the person they care for) answers, while the appointment is still to come."""
    appointment = get_object_or_404(
        Appointment.objects.of(request.user).with_details().booked().filter(slot__end__gt=timezone.now()), pk=pk
    )
    done = redirect("vaccination:appointment-detail", pk=appointment.pk)
    return _screen(request, appointment, template="vaccination/screening.html", confirm=False, done=done)


@role_required(Role.CLINIC_STAFF)
@require_http_methods(["GET", "HEAD", "POST"])
def desk_screening(request, pk):
    """The nurse goes through the answers with the person and confirms or corrects them."""
    appointments = Appointment.objects.at_clinics_of(request.user).with_details().select_related("person")
    appointment = get_object_or_404(appointments, pk=pk)
    done = redirect("clinic:appointment", pk=appointment.pk)
    return _screen(request, appointment, template="clinic/screening.html", confirm=True, done=done)
