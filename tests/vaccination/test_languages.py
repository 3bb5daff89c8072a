"""Emails, calendar files and dates in the person's language."""

from datetime import datetime, timedelta

import icalendar
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import formats, timezone, translation

from tests.factories import UserFactory
from vaccination.services import book

pytestmark = pytest.mark.django_db


def spanish(person):
    person.language = "es"
    person.save()
    return person


def in_spanish(value, format_name):
    with translation.override("es"):
        return formats.date_format(value, format_name)


def event_of(message):
    return icalendar.Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")[0]


def test_the_confirmation_email_and_its_calendar_file_are_in_the_persons_language(
    person, slot, mailoutbox, django_capture_on_commit_callbacks
):
    spanish(person)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(person=person, slot=slot)

    message = mailoutbox[0]
    start = timezone.localtime(slot.start, slot.site.tzinfo)
    assert (
        message.subject
        == f"[VaxFleet] Su vacunación está reservada: {in_spanish(start, 'SHORT_DAY_MONTH_FORMAT')} a las 09:00"
    )
    for body in (message.body, message.alternatives[0][0]):
        assert "Hola, Pat:" in body
        assert "Su cita de vacunación está reservada." in body
        assert in_spanish(start, "WEEKDAY_DATE_FORMAT") in body
        assert "documento de identidad" in body
        assert "Your vaccination" not in body
    assert '<html lang="es">' in message.alternatives[0][0]
    event = event_of(message)
    assert str(event["SUMMARY"]) == "Vacunación: Comirnaty, dosis 1"
    assert f"Código de confirmación: {appointment.code}" in str(event["DESCRIPTION"])


def test_the_email_follows_the_person_not_whoever_triggers_it(
    person, slot, mailoutbox, django_capture_on_commit_callbacks
):
    person.language = "en"
    person.save()
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        book(person=person, slot=slot)

    assert mailoutbox[0].subject.startswith("[VaxFleet] Your vaccination is booked")


def test_reminders_go_out_in_each_recipients_language(
    person, make_slot, make_appointment, mailoutbox, django_capture_on_commit_callbacks
):
    soon = make_slot(start=timezone.now() + timedelta(hours=3), capacity=5)
    make_appointment(spanish(person), soon)
    make_appointment(UserFactory(email="eve@example.org", language="en"), soon)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_appointment_reminders")

    subjects = {message.to[0]: message.subject for message in mailoutbox}
    assert subjects["pat@example.org"].startswith("[VaxFleet] Recordatorio: su vacunación el ")
    assert subjects["eve@example.org"].startswith("[VaxFleet] Reminder: your vaccination ")
    spanish_mail = next(m for m in mailoutbox if m.to == ["pat@example.org"])
    assert "Le recordamos que se acerca su cita de vacunación." in spanish_mail.body


def test_the_downloaded_calendar_file_is_in_the_persons_language(client, person, slot, make_appointment):
    appointment = make_appointment(spanish(person), slot)
    client.force_login(person)

    response = client.get(reverse("vaccination:appointment-calendar", args=[appointment.pk]))

    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Vacunación: Comirnaty, dosis 1"
    assert "Qué traer" in str(event["DESCRIPTION"])


def test_the_booking_page_writes_dates_the_spanish_way(client, site, make_slot):
    day = timezone.localdate(timezone=site.tzinfo) + timedelta(days=2)
    make_slot(start=datetime.combine(day, datetime.min.time().replace(hour=10), tzinfo=site.tzinfo))

    response = client.get(
        reverse("vaccination:book"), {"site": site.pk, "day": day.isoformat()}, HTTP_ACCEPT_LANGUAGE="es"
    )

    page = response.content.decode()
    weekday_and_date = in_spanish(day, "WEEKDAY_DAY_MONTH_FORMAT")
    assert " de " in weekday_and_date
    assert f"4. Elija una hora el {weekday_and_date}" in page
    assert "Choose a time" not in page


def test_the_confirmation_page_is_in_the_persons_language_with_a_spanish_date(client, person, slot, make_appointment):
    appointment = make_appointment(spanish(person), slot)
    client.force_login(person)

    page = client.get(reverse("vaccination:appointment-detail", args=[appointment.pk])).content.decode()

    start = timezone.localtime(slot.start, slot.site.tzinfo)
    assert in_spanish(start, "WEEKDAY_DATE_FORMAT") in page
    assert "Su código" in page
    assert "Your code" not in page
