"""Phone numbers are E.164 (django-phonenumber-field) everywhere; numbers
stored as free text before were converted, and bad ones kept and reported."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from phonenumber_field.phonenumber import PhoneNumber

from accounts import phones, rights_triggers
from accounts.models import User
from fleet.models import Client, Driver
from tests.factories import UserFactory

BEFORE = [("accounts", "0011_name_collations"), ("fleet", "0011_driver_name_collation_indexes")]
AFTER = [("accounts", "0012_phone_numbers_e164"), ("fleet", "0012_phone_numbers_e164")]
BEFORE_CHECKS = [("accounts", "0014_walk_in_match_by_birth_date"), ("fleet", "0012_phone_numbers_e164")]


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


def _a_driver(**fields):
    return Driver.objects.create(
        first_name="Dee", last_name="Driver", licence_number="L-1", licence_expiry=datetime.date(2030, 1, 1), **fields
    )


def _write_around_the_model(model, pk, column, value):
    """As raw SQL, a COPY or another program would: no field conversion."""
    table, column = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(column)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608  # nosec B608


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["+34 600 12 34 56", "600123456", "ring the office", "+0123"])
def test_the_database_refuses_a_phone_not_in_e164_from_a_writer_that_skips_the_forms(person, value):
    person.phone = "+34600123456"
    person.save()
    driver = _a_driver(phone="+34600123456")
    company = Client.objects.create(name="Acme", contact_phone="+34600123456")

    for model, pk, column in (
        (User, person.pk, "phone"),
        (Driver, driver.pk, "phone"),
        (Client, company.pk, "contact_phone"),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            _write_around_the_model(model, pk, column, value)

    # Each row keeps the number it had.
    assert User.objects.get(pk=person.pk).phone == "+34600123456"
    assert Driver.objects.get(pk=driver.pk).phone == "+34600123456"
    assert Client.objects.get(pk=company.pk).contact_phone == "+34600123456"


@pytest.mark.django_db
def test_a_bulk_update_with_a_bad_number_is_refused_too(person):
    """The field stores a number it cannot read as typed: the CHECK refuses it."""
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=person.pk).update(phone="ring the office")


@pytest.mark.django_db
def test_numbers_in_e164_and_no_number_at_all_are_stored_by_any_writer(person):
    User.objects.filter(pk=person.pk).update(phone="+34600123456")
    driver = _a_driver(phone="")

    assert User.objects.get(pk=person.pk).phone == "+34600123456"
    assert Driver.objects.get(pk=driver.pk).phone in ("", None)


@pytest.mark.django_db
def test_the_models_own_validation_checks_the_shape_without_a_query(django_assert_num_queries):
    shape = next(c for c in User._meta.constraints if c.name == "accounts_user_phone_e164")

    with django_assert_num_queries(0):
        shape.validate(User, User(phone="+34600123456"))
        shape.validate(User, User(phone=""))
        with pytest.raises(ValidationError) as refused:
            shape.validate(User, User(phone="12"))

    assert refused.value.message_dict == {"phone": [str(phones.INVALID)]}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("back_to_the_latest_schema")
def test_the_checks_migration_first_converts_or_keeps_what_was_written_around_the_model(capsys):
    old = migrate(BEFORE_CHECKS)
    OldUser = old.get_model("accounts", "User")
    OldDriver = old.get_model("fleet", "Driver")
    spaced = OldUser.objects.create(email="spaced@example.org", first_name="Ana", last_name="S")
    garbled = OldUser.objects.create(email="garbled@example.org", first_name="Bo", last_name="G")
    driver = OldDriver.objects.create(
        first_name="Dee", last_name="D", licence_number="L-9", licence_expiry="2030-01-01"
    )
    # As the bench's loader wrote them (COPY), raw SQL or a careless bulk update would.
    _write_around_the_model(User, spaced.pk, "phone", "+34 600 12 34 56")
    _write_around_the_model(User, garbled.pk, "phone", "ring the office")
    _write_around_the_model(Driver, driver.pk, "phone", "+34 700 00 00 32")

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    printed = capsys.readouterr().out
    assert "accounts.User (people): 1 phone number(s) in E.164; 1 not a valid number" in printed
    assert f"(ids {garbled.pk})" in printed
    assert "fleet.Driver: 1 phone number(s) in E.164" in printed
    rows = {row.pk: row for row in User.objects.filter(pk__in=[spaced.pk, garbled.pk])}
    assert (rows[spaced.pk].phone.as_e164, rows[spaced.pk].phone_unparsed) == ("+34600123456", "")
    assert (str(rows[garbled.pk].phone or ""), rows[garbled.pk].phone_unparsed) == ("", "ring the office")
    assert Driver.objects.get(pk=driver.pk).phone.as_e164 == "+34700000032"
