"""A person downloads their own data and deletes their account."""

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audit.models import Action, AuditEvent
from outbox.models import Message
from tests.accounts.test_staff_mfa import with_totp
from tests.factories import PASSWORD, UserFactory
from vaccination.models import Appointment, Site, Slot, Vaccine

pytestmark = pytest.mark.django_db

EXPORT = reverse("accounts:data-export")
DELETE = reverse("accounts:delete")


@pytest.fixture
def clinic():
    return Site.objects.create(name="Central Clinic", address="1 Main Street")


@pytest.fixture
def vaccine():
    return Vaccine.objects.create(name="Flu", doses_required=2, min_days_between_doses=21)


def slot_at(clinic, vaccine, start, capacity=3):
    return Slot.objects.create(
        site=clinic, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=capacity
    )


@pytest.fixture
def history(person, other_person, clinic_staff, clinic, vaccine):
    """The person: a past dose and an upcoming booking; another person: one booking."""
    now = timezone.now()
    past = Appointment.objects.create(
        person=person,
        slot=slot_at(clinic, vaccine, now - timedelta(days=40)),
        status=Appointment.Status.CHECKED_IN,
        checked_in_at=now - timedelta(days=40),
        checked_in_by=clinic_staff,
        checked_in_site=clinic,
        dose_given_at=now - timedelta(days=40),
        dose_given_by=clinic_staff,
        vaccine_lot="LOT-1",
    )
    upcoming_slot = slot_at(clinic, vaccine, now + timedelta(days=3))
    upcoming = Appointment.objects.create(person=person, slot=upcoming_slot, dose_number=2)
    Slot.objects.filter(pk=upcoming_slot.pk).update(booked_count=2)
    others = Appointment.objects.create(person=other_person, slot=upcoming_slot)
    return past, upcoming, others


def download(client, user):
    client.force_login(user)
    response = client.get(EXPORT)
    assert response.status_code == 200
    return response, json.loads(b"".join(response))


# Download


def test_the_download_is_a_json_attachment_with_the_profile_and_email_addresses(client, person):
    person.phone = "+34 600 111 222"
    person.save()

    response, data = download(client, person)

    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="vaxfleet-my-data-')
    assert "no-store" in response["Cache-Control"]
    assert data["profile"]["email"] == "pat@example.org"
    assert data["profile"]["phone"] == "+34600111222"
    assert data["profile"]["reminder_channel"] == "email"
    assert data["email_addresses"] == [{"email": "pat@example.org", "verified": True, "primary": True}]


def test_the_download_has_every_appointment_with_check_in_and_dose(client, person, history):
    past, upcoming, _others = history

    _response, data = download(client, person)

    assert [a["code"] for a in data["appointments"]] == [past.code, upcoming.code]
    first = data["appointments"][0]
    assert first["clinic"] == "Central Clinic"
    assert first["vaccine"] == "Flu"
    assert first["vaccine_lot"] == "LOT-1"
    assert first["checked_in_clinic"] == "Central Clinic"
    assert first["dose_given_at"] is not None
    assert data["appointments"][1]["status"] == "booked"


def test_the_download_holds_nothing_of_another_person_nor_the_nurse(client, person, other_person, history):
    _past, _upcoming, others = history

    response, _data = download(client, person)

    text = b"".join(response).decode()
    for foreign in (other_person.email, "Olive", others.code, "nurse@example.org", "Nora"):
        assert foreign not in text


def test_the_download_lists_the_persons_own_sign_ins_and_is_itself_recorded(client, person, other_person):
    Client().force_login(other_person)

    _response, data = download(client, person)

    assert [event["action"] for event in data["activity"]] == ["login"]
    assert AuditEvent.objects.filter(action=Action.DATA_EXPORT, actor=person).count() == 1


def test_the_download_needs_a_sign_in(client):
    response = client.get(EXPORT)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_download_takes_no_post(client, person):
    client.force_login(person)

    assert client.post(EXPORT).status_code == 405


def test_the_profile_links_to_the_download_and_the_deletion(client, person):
    client.force_login(person)

    page = client.get(reverse("accounts:profile")).content.decode()

    assert f'href="{EXPORT}"' in page
    assert f'href="{DELETE}"' in page


# Deletion


def delete(client, user, password=PASSWORD):
    client.force_login(user)
    return client.post(DELETE, {"password": password})


def test_the_deletion_page_asks_for_the_password(client, person):
    client.force_login(person)

    page = client.get(DELETE).content.decode()

    assert 'name="password"' in page
    assert "cancels your upcoming appointments" in page


def test_a_wrong_password_deletes_nothing(client, person):
    response = delete(client, person, password="not-my-password")

    assert response.status_code == 200
    assert "That is not your password." in response.content.decode()
    person.refresh_from_db()
    assert person.is_active
    assert person.email == "pat@example.org"


def test_deleting_cancels_future_appointments_and_frees_their_seats(client, person, history):
    _past, upcoming, others = history

    response = delete(client, person)

    assert response.status_code == 200
    assert "Your account is deleted" in response.content.decode()
    upcoming.refresh_from_db()
    assert upcoming.status == Appointment.Status.CANCELLED
    # Nothing is mailed to a deleted account, and the outbox keeps no copy of the address.
    assert not Message.objects.filter(status=Message.Status.SENT).exists()
    assert not Message.objects.filter(to="pat@example.org").exists()
    assert Slot.objects.get(pk=upcoming.slot_id).booked_count == 1
    others.refresh_from_db()
    assert others.status == Appointment.Status.BOOKED
    assert AuditEvent.objects.filter(action=Action.CANCEL, target_id=str(upcoming.pk)).count() == 1


def test_deleting_keeps_past_vaccinations_on_the_anonymised_row(client, person, history):
    past, _upcoming, _others = history
    person.phone = "+34 600 111 222"
    person.save()

    delete(client, person)

    past.refresh_from_db()
    assert past.dose_given_at is not None
    assert past.vaccine_lot == "LOT-1"
    anonymous = User.objects.get(pk=person.pk)
    assert past.person_id == anonymous.pk
    assert anonymous.email == f"deleted-{person.pk}@deleted.invalid"
    assert (anonymous.first_name, anonymous.last_name, anonymous.phone, anonymous.date_of_birth) == ("", "", "", None)
    assert not anonymous.is_active
    assert not anonymous.has_usable_password()
    assert not EmailAddress.objects.filter(user=anonymous).exists()


def test_after_deletion_the_person_is_signed_out_everywhere_and_cannot_sign_in(client, person):
    other_browser = Client()
    other_browser.force_login(person)

    delete(client, person)

    assert "_auth_user_id" not in client.session
    assert other_browser.get(reverse("accounts:profile")).status_code == 302
    signed_in = Client().post(reverse("account_login"), {"login": "pat@example.org", "password": PASSWORD})
    assert signed_in.status_code == 200
    assert "_auth_user_id" not in signed_in.client.session


def test_after_deletion_the_same_email_can_sign_up_again(client, person):
    delete(client, person)

    client.post(
        reverse("account_signup"),
        {
            "email": "pat@example.org",
            "first_name": "Pat",
            "last_name": "Again",
            "password1": "a-new-long-password-2026",
            "password2": "a-new-long-password-2026",
        },
    )

    assert User.objects.filter(email="pat@example.org", last_name="Again").exists()


def test_deleting_removes_two_factor_and_is_recorded_without_the_old_address(client, person):
    with_totp(person)
    Client().post(reverse("account_login"), {"login": "pat@example.org", "password": "wrong-guess"})

    delete(client, person)

    assert not person.authenticator_set.exists()
    event = AuditEvent.objects.get(action=Action.ACCOUNT_DELETE)
    assert event.actor_id == person.pk
    everything = str(list(AuditEvent.objects.values()))
    assert "pat@example.org" not in everything
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED).count() == 1


@pytest.mark.parametrize("role", [Role.CLINIC_STAFF, Role.FLEET_MANAGER, Role.DRIVER, Role.CLIENT_USER])
def test_an_account_with_a_role_cannot_delete_itself(client, role):
    user = UserFactory(roles=[role])

    response = delete(client, user)

    assert response.status_code == 200
    assert "Ask an administrator to remove your roles" in response.content.decode()
    user.refresh_from_db()
    assert user.is_active


def test_an_admin_cannot_delete_itself(client, superuser):
    delete(client, superuser)

    superuser.refresh_from_db()
    assert superuser.is_active


def test_guessing_the_password_on_the_deletion_page_is_rate_limited(client, person):
    for _ in range(5):
        delete(client, person, password="guess")

    response = delete(client, person)

    assert response.status_code == 429
    person.refresh_from_db()
    assert person.is_active


def test_deletion_needs_a_sign_in(client):
    response = client.post(DELETE, {"password": PASSWORD})

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_an_admin_deletes_a_nurses_account_from_the_admin_and_is_the_recorded_actor(client, superuser, clinic_staff):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_accounts", "_selected_action": [clinic_staff.pk, superuser.pk]},
        REMOTE_ADDR="203.0.113.7",
    )

    assert response.status_code == 302
    clinic_staff.refresh_from_db()
    assert not clinic_staff.is_active
    assert clinic_staff.email.endswith("@deleted.invalid")
    assert not clinic_staff.groups.exists()
    superuser.refresh_from_db()
    assert superuser.is_active  # never one's own account
    event = AuditEvent.objects.get(action=Action.ACCOUNT_DELETE)
    assert (event.actor, event.target_id, str(event.ip)) == (superuser, str(clinic_staff.pk), "203.0.113.7")
