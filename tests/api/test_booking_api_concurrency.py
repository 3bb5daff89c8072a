"""The booking race again, through the API: twenty integrations POST for the
last three seats at once. Exactly three get 201, the others 409 slot_full."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from tests.api.conftest import bearer
from tests.factories import UserFactory
from vaccination.models import Appointment, Site, Slot, Vaccine
from vaccination.services import book

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so it cannot show a race (set DATABASE_URL)",
    ),
]

THREADS = 20


def test_twenty_api_bookings_for_the_last_three_seats_give_three_201_and_seventeen_409(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    site = Site.objects.create(name="Race Clinic", address="1 Fast Lane")
    vaccine = Vaccine.objects.create(name="Race vaccine")
    start = timezone.now() + timedelta(days=1)
    slot = Slot.objects.create(site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=5)
    for person in UserFactory.create_batch(2):
        book(person=person, slot=slot)
    clients = [bearer(person) for person in UserFactory.create_batch(THREADS)]
    barrier = threading.Barrier(THREADS)
    results = [None] * THREADS

    def attempt(index, client):
        try:
            barrier.wait()
            response = client.post("/api/v1/appointments/", {"slot": slot.pk}, format="json")
            results[index] = (response.status_code, response.json().get("error", {}).get("code"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    slot.refresh_from_db()
    print(f"\n{THREADS} concurrent API bookings for 3 seats: {sorted(results, key=str)}")
    assert sorted(results, key=str) == [(201, None)] * 3 + [(409, "slot_full")] * (THREADS - 3)
    assert slot.booked_count == slot.capacity == 5
    assert Appointment.objects.filter(slot=slot).count() == 5
