"""Phone numbers are E.164 (django-phonenumber-field) everywhere; numbers
stored as free text before were converted, and bad ones kept and reported."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from phonenumber_field.phonenumber import PhoneNumber

from accounts import phones, rights_triggers
from accounts.models import User
from tests.factories import UserFactory

BEFORE = [("accounts", "0011_name_collations"), ("fleet", "0011_driver_name_collation_indexes")]
AFTER = [("accounts", "0012_phone_numbers_e164"), ("fleet", "0012_phone_numbers_e164")]


def migrate(targets):
    """As `manage.py migrate` does, with its pre- and post-migrate steps: on
    SQLite the rights triggers are taken off first, because SQLite refuses to
    rebuild a table a trigger names (accounts.rights_triggers)."""
    rights_triggers.drop_on_sqlite()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    rights_triggers.install()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_schema():
    """The tests after this one need every migration applied (later ones than AFTER included)."""
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("back_to_the_latest_schema")
def test_the_migration_converts_good_numbers_and_keeps_and_reports_bad_ones(settings, capsys):
    settings.PHONENUMBER_DEFAULT_REGION = "ES"
    old = migrate(BEFORE)
    OldUser = old.get_model("accounts", "User")
    OldDriver = old.get_model("fleet", "Driver")
    good = OldUser.objects.create(email="good@example.org", first_name="Ana", last_name="Good", phone="600 123 456")
    bad = OldUser.objects.create(email="bad@example.org", first_name="Bo", last_name="Bad", phone="ring the office")
    none = OldUser.objects.create(email="none@example.org", first_name="Cy", last_name="None", phone="")
    driver = OldDriver.objects.create(
        first_name="Dee", last_name="Driver", phone="12", licence_number="L-1", licence_expiry="2030-01-01"
    )

    migrate(AFTER)

    printed = capsys.readouterr().out
    assert "accounts.User (people): 1 phone number(s) in E.164; 1 not a valid number" in printed
    assert f"ids {bad.pk}" in printed
    assert "fleet.Driver: 0 phone number(s) in E.164; 1 not a valid number, kept in phone_unparsed" in printed
    assert f"(ids {driver.pk})" in printed
    rows = {row.pk: row for row in User.objects.all()}
    assert (rows[good.pk].phone.as_e164, rows[good.pk].phone_unparsed) == ("+34600123456", "")
    assert (str(rows[bad.pk].phone or ""), rows[bad.pk].phone_unparsed) == ("", "ring the office")
    assert (str(rows[none.pk].phone or ""), rows[none.pk].phone_unparsed) == ("", "")

    call_command("report_bad_phones")

    listed = capsys.readouterr().out
    assert f"accounts.User id {bad.pk}: phone 'ring the office' is not a valid phone number" in listed
    assert f"fleet.Driver id {driver.pk}: phone '12' is not a valid phone number" in listed
    assert "2 value(s) to fix" in listed


@pytest.mark.django_db
def test_report_bad_phones_retry_restores_numbers_that_read_with_the_region_now(settings, capsys):
    person = UserFactory(phone="", phone_unparsed="600 123 456")
    settings.PHONENUMBER_DEFAULT_REGION = "ES"

    call_command("report_bad_phones", "--retry")

    person.refresh_from_db()
    assert (person.phone.as_e164, person.phone_unparsed) == ("+34600123456", "")
    assert f"accounts.User.phone: 1 read as numbers now (ids {person.pk})" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_number_without_country_code_is_read_with_the_default_region(settings):
    settings.PHONENUMBER_DEFAULT_REGION = "ES"
    person = UserFactory(phone="600 123 456")

    person.refresh_from_db()

    assert person.sms_number == "+34600123456"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["call me maybe", "+34 12", "+99 600 123 456"])
def test_the_profile_form_says_what_is_wrong_with_a_bad_number(client, person, value):
    client.force_login(person)

    response = client.post(reverse("accounts:profile"), {"first_name": "Pat", "last_name": "Person", "phone": value})

    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [str(phones.INVALID)]


@pytest.mark.django_db
def test_the_signup_form_refuses_a_bad_mobile_number(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "first_name": "New",
            "last_name": "Person",
            "password1": "a long pass phrase 93",
            "password2": "a long pass phrase 93",
            "mobile": "not a phone",
            "reminder_channel": "sms",
        },
    )

    assert response.status_code == 200
    assert str(phones.INVALID) in response.context["form"].errors["mobile"]
    assert not User.objects.filter(email="new@example.org").exists()


@pytest.mark.django_db
def test_the_api_refuses_a_bad_number_and_answers_e164(client, person):
    client.force_login(person)
    url = reverse("api:me")

    refused = client.patch(url, {"phone": "12345"}, content_type="application/json")
    saved = client.patch(url, {"phone": "+34 600 123 456"}, content_type="application/json")

    assert refused.status_code == 400
    assert str(phones.INVALID) in str(refused.json())
    assert saved.status_code == 200
    assert saved.json()["phone"] == "+34600123456"


@pytest.mark.django_db
def test_a_stored_number_reads_back_as_its_own_phone_number_every_time():
    person = UserFactory(phone="+34600123456")
    first = User.objects.get(pk=person.pk).phone
    second = User.objects.get(pk=person.pk).phone

    assert isinstance(first, PhoneNumber)
    assert first == second == "+34600123456"
    assert first.is_valid()
    assert first is not second  # each reader its own: changing one changes no other
    first.extension = "12"
    assert User.objects.get(pk=person.pk).phone.extension is None
