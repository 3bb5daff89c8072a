"""Matching a walk-in against everyone registered stays a small read: by the
address's index and the date of birth's, not a scan of every account (78 ms
at the bench's large scale of 100,000 people, before the date's index)."""

from datetime import date, timedelta

import pytest
from django.db import connection

from accounts.models import User
from standby.walkins import find_matches, matching
from tests.factories import UserFactory
from tests.plans import rows_read

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the query plan is PostgreSQL's"),
]
BIRTH = date(1980, 5, 17)


def test_a_walk_in_is_matched_by_name_and_birth_date_or_email_from_indexes_among_thousands():
    User.objects.bulk_create(
        User(
            email=f"person{n}@example.org",
            first_name="Wanda" if n % 2 else "Walter",
            last_name="Walker",
            date_of_birth=date(1940, 1, 1) + timedelta(days=n * 7),
            password="!",
        )
        for n in range(3000)
    )
    wanda = UserFactory(first_name="Wanda", last_name="Walker", date_of_birth=BIRTH, email="wanda@example.org")
    by_email = UserFactory(first_name="W", last_name="Other", email="w.walker@example.org")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user")
    typed = {"email": "W.Walker@Example.org", "first_name": " wanda", "last_name": "WALKER", "date_of_birth": BIRTH}

    assert find_matches(**typed) == [by_email, wanda]
    # Wanda's row, the address's and the few born that day: not the 3,000 Walkers.
    assert rows_read(matching(**typed)) <= 10
