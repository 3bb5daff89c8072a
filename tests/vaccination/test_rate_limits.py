"""Booking and check-in POSTs are rate limited per user, with the styled 429
page; a limited request changes nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from vaccination.models import Appointment, CheckInLog

pytestmark = pytest.mark.django_db

BOOK = reverse("vaccination:book")
DESK = reverse("clinic:checkin")


@pytest.fixture
def tight_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "book": "2/m/user", "check_in": "2/m/user"}


def test_booking_posts_past_the_limit_get_429_and_book_nothing(client, person, make_slot, tight_limits):
    client.force_login(person)
    first = make_slot(capacity=5)
    slots = [first, *(make_slot(first.start + timedelta(hours=n), capacity=5) for n in (1, 2))]

    statuses = [client.post(BOOK, {"slot": slot.pk}).status_code for slot in slots]

    assert statuses == [302, 302, 429]
    assert Appointment.objects.filter(person=person).count() == 1
    assert "Too many attempts in a short time" in client.post(BOOK, {"slot": slots[2].pk}).content.decode()


def test_the_booking_limit_is_per_person(client, person, make_slot, tight_limits):
    slot = make_slot(capacity=5)
    client.force_login(person)
    for _ in range(3):
        client.post(BOOK, {"slot": slot.pk})

    client.force_login(UserFactory())

    assert client.post(BOOK, {"slot": slot.pk}).status_code == 302


def test_check_in_posts_past_the_limit_get_429_and_log_nothing(client, clinic_staff, site, tight_limits):
    site.staff.add(clinic_staff)
    client.force_login(clinic_staff)

    statuses = [client.post(DESK, {"code": code}).status_code for code in ("AAAA2222", "BBBB3333", "CCCC4444")]

    assert statuses == [200, 200, 429]
    assert CheckInLog.objects.count() == 2


def test_looking_at_the_pages_is_not_limited(client, person, tight_limits):
    client.force_login(person)

    assert {client.get(BOOK).status_code for _ in range(5)} == {200}
