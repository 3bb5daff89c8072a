"""Finding an account by its address: any letter case, as the unique
constraint compares addresses, and from that constraint's index, so signing
in does not read every account (it read all 100,000 at the bench's large
scale, 28 ms a sign-in)."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User, same_email
from tests.factories import PASSWORD
from tests.plans import rows_read

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the query plan is PostgreSQL's")


@pytest.mark.django_db
def test_an_address_stored_in_capitals_around_the_model_is_still_found_in_any_case(person):
    # A bulk update or raw SQL skips save(), which stores addresses lower-case.
    User.objects.filter(pk=person.pk).update(email="Pat.Mixed@Example.ORG")

    assert User.objects.get_by_natural_key(" pat.mixed@example.org ") == person
    assert list(User.objects.filter(Q(same_email("PAT.MIXED@example.org")) | Q(pk=0))) == [person]
    assert not User.objects.filter(same_email("pat.mixed@example.net")).exists()


@pytest.mark.django_db
def test_signing_in_looks_the_address_up_without_upper_which_no_index_serves(client, person):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("account_login"), {"login": "  PAT@example.org", "password": PASSWORD})

    assert client.session["_auth_user_id"] == str(person.pk), response
    by_address = [q["sql"] for q in queries if 'FROM "accounts_user"' in q["sql"] and '"email"' in q["sql"]]
    assert by_address
    assert not [sql for sql in by_address if "UPPER(" in sql]


@on_postgresql
@pytest.mark.django_db
def test_among_thousands_of_accounts_the_lookup_reads_the_one_row(person):
    User.objects.bulk_create(
        User(email=f"person{n}@example.org", first_name="P", last_name=f"N{n}", password="!") for n in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user")

    assert rows_read(User.objects.filter(same_email("PAT@Example.org"))) == 1
