from datetime import timedelta

import icalendar
import pytest
from django.utils import timezone

import outbox
from outbox.models import Message
from vaccination.confirmation import calendar_file
from vaccination.services import book, cancel, reschedule


@pytest.fixture
def booked(person, slot, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return book(person=person, slot=slot)


def ics_event(message):
    name, content, mimetype = message.attachments[0]
    assert name == "appointment.ics"
    calendar = icalendar.Calendar.from_ical(content)
    return calendar, calendar.walk("VEVENT")[0], mimetype


def test_the_confirmation_email_carries_the_facts_and_a_calendar_request(booked, mailoutbox):
    message = mailoutbox[0]
    calendar, event, mimetype = ics_event(message)

    assert message.to == ["pat@example.org"]
    assert message.subject.startswith("[VaxFleet] Your vaccination is booked")
    for text in (message.body, message.alternatives[0][0]):
        assert booked.code in text
        assert "Central Clinic" in text
        assert "Comirnaty" in text
        assert "identity document" in text
    assert mimetype == "text/calendar; method=REQUEST"
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == f"appointment-{booked.pk}@vaxfleet"
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert booked.code in event["DESCRIPTION"]


def test_rescheduling_and_cancelling_update_the_same_calendar_entry(
    booked, make_slot, mailoutbox, django_capture_on_commit_callbacks
):
    later = make_slot(start=booked.slot.start + timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        moved = reschedule(appointment=booked, slot=later)
    with django_capture_on_commit_callbacks(execute=True):
        cancel(appointment=moved, by=moved.person)

    events = [ics_event(message) for message in mailoutbox]
    assert [event["UID"] for _, event, _ in events] == [f"appointment-{booked.pk}@vaxfleet"] * 3
    assert [event["SEQUENCE"] for _, event, _ in events] == [0, 1, 2]
    assert events[1][1].decoded("dtstart") == timezone.localtime(later.start, later.site.tzinfo)
    assert events[2][0]["METHOD"] == "CANCEL"
    assert events[2][1]["STATUS"] == "CANCELLED"


def test_the_download_is_a_published_calendar_with_an_alarm(booked):
    calendar = icalendar.Calendar.from_ical(calendar_file(booked))

    assert calendar["METHOD"] == "PUBLISH"
    assert calendar.walk("VALARM")


def test_an_owed_email_is_sent_once_however_often_it_is_delivered(booked, mailoutbox):
    message = Message.objects.get(kind="appointment_booked")
    assert message.status == Message.Status.SENT

    assert outbox.deliver(message.pk) == ""

    assert len(mailoutbox) == 1


def test_a_notice_for_a_revision_the_appointment_has_left_is_skipped(booked, make_slot, mailoutbox):
    later = make_slot(start=booked.slot.start + timedelta(days=2))
    stale = Message.objects.get(kind="appointment_booked")
    Message.objects.filter(pk=stale.pk).update(status=Message.Status.PENDING)
    reschedule(appointment=booked, slot=later)  # no on-commit callbacks run: both rows wait

    assert outbox.deliver(stale.pk) == Message.Status.SKIPPED
    assert len(mailoutbox) == 1  # only the confirmation sent when booking
