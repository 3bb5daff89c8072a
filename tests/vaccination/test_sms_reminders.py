"""Reminders by text, email or both, as each person chose (issue 15, item 5)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from outbox import sms
from outbox.models import Message

PROFILE = reverse("accounts:profile")


@pytest.fixture
def texts(settings):
    settings.SMS_BACKEND = "outbox.sms.MemoryBackend"
    sms.sent.clear()
    yield sms.sent
    sms.sent.clear()


@pytest.fixture
def soon(make_slot):
    return make_slot(start=timezone.now() + timedelta(hours=3))


def reminded(person, channel, phone, soon, make_appointment, capture):
    person.phone, person.reminder_channel = phone, channel
    person.save()
    appointment = make_appointment(person, soon)
    with capture(execute=True):
        call_command("send_appointment_reminders")
    return appointment


def test_a_person_who_chose_texts_gets_a_short_text_and_no_email(
    person, soon, make_appointment, texts, mailoutbox, django_capture_on_commit_callbacks
):
    appointment = reminded(person, "sms", "+34 600 123 456", soon, make_appointment, django_capture_on_commit_callbacks)

    [(to, text)] = texts
    assert to == "+34600123456"
    local = timezone.localtime(soon.start, soon.site.tzinfo)
    assert (
        text == f"VaxFleet: your vaccination {local:%-d %b} at {local:%H:%M}, Central Clinic. Code {appointment.code}."
    )
    assert person.last_name not in text
    assert len(text) <= 160
    assert mailoutbox == []


def test_both_sends_an_email_and_a_text_each_once(
    person, soon, make_appointment, texts, mailoutbox, django_capture_on_commit_callbacks
):
    reminded(person, "both", "+34 600 123 456", soon, make_appointment, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_appointment_reminders")

    assert len(texts) == 1
    assert len(mailoutbox) == 1
    assert sorted(Message.objects.values_list("channel", flat=True)) == ["email", "sms"]


def test_the_text_is_in_the_persons_language(person, soon, make_appointment, texts, django_capture_on_commit_callbacks):
    person.language = "es"
    reminded(person, "sms", "+34 600 123 456", soon, make_appointment, django_capture_on_commit_callbacks)

    assert texts[0][1].startswith("VaxFleet: su vacunación el ")


def test_without_an_sms_provider_a_text_reminder_goes_by_email(
    person, soon, make_appointment, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "outbox.sms.DisabledBackend"
    reminded(person, "sms", "+34 600 123 456", soon, make_appointment, django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 1


def test_the_profile_asks_for_a_valid_mobile_number_before_texts(client, person):
    client.force_login(person)
    fields = {"first_name": "Pat", "last_name": "Person", "language": "en", "reminder_channel": "sms"}

    refused = client.post(PROFILE, {**fields, "phone": "12"})
    saved = client.post(PROFILE, {**fields, "phone": "+34 600 123 456"})

    assert refused.status_code == 200
    assert "Enter a valid phone number, with its country code" in refused.content.decode()
    assert saved.status_code == 302
    person.refresh_from_db()
    assert (person.reminder_channel, person.sms_number) == (User.ReminderChannel.SMS, "+34600123456")


def test_a_number_typed_without_its_country_code_is_texted_in_e164(
    person, soon, make_appointment, texts, settings, django_capture_on_commit_callbacks
):
    settings.PHONENUMBER_DEFAULT_REGION = "ES"
    reminded(person, "sms", "600 123 456", soon, make_appointment, django_capture_on_commit_callbacks)

    assert [to for to, _text in texts] == ["+34600123456"]


def test_without_a_default_region_a_number_needs_its_country_code(person, settings):
    settings.PHONENUMBER_DEFAULT_REGION = None
    person.phone = "600 123 456"
    assert person.sms_number == ""


SIGNUP = {
    "email": "new@example.org",
    "first_name": "Nia",
    "last_name": "New",
    "password1": "a long enough passphrase 2026",
    "password2": "a long enough passphrase 2026",
}


def test_signup_offers_reminders_by_text_with_a_mobile_number(db, client):
    response = client.post(
        reverse("account_signup"), {**SIGNUP, "mobile": "+34 600 123 456", "reminder_channel": "both"}
    )

    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert (user.reminder_channel, user.sms_number) == (User.ReminderChannel.BOTH, "+34600123456")


def test_signup_refuses_texts_without_a_valid_mobile_number_and_defaults_to_email(db, client):
    refused = client.post(reverse("account_signup"), {**SIGNUP, "mobile": "", "reminder_channel": "sms"})
    assert "valid mobile number" in refused.content.decode()
    assert not User.objects.filter(email="new@example.org").exists()

    client.post(reverse("account_signup"), SIGNUP)
    assert User.objects.get(email="new@example.org").reminder_channel == User.ReminderChannel.EMAIL
