import csv
import datetime
import io

import pytest
import time_machine
from django.http import StreamingHttpResponse
from django.urls import reverse

from tests.fleet.factories import AssignmentFactory, ClientFactory, DriverFactory

pytestmark = pytest.mark.django_db
URL = reverse("fleet:driver-export")


def rows(response):
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC))
def test_export_streams_the_current_filter_as_csv(client, fleet_manager):
    acme = ClientFactory(name="Acme")
    AssignmentFactory(
        driver__first_name="Alba",
        driver__last_name="Zamora",
        driver__licence_number="B-1",
        driver__licence_expiry=datetime.date(2026, 6, 10),
        driver__client=acme,
        truck__code="TRK-0042",
    )
    DriverFactory(last_name="Elsewhere")
    client.force_login(fleet_manager)

    response = client.get(URL, {"client": acme.pk, "page": "3"})

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="drivers-2026-06-01.csv"'
    [row] = rows(response)
    assert row["last_name"] == "Zamora"
    assert row["licence_number"] == "B-1"
    assert row["client"] == "Acme"
    assert row["current_truck"] == "TRK-0042"
    assert row["licence_status"] == "expiring"
    assert row["active"] == "yes"


def test_export_includes_every_match_not_just_one_page(client, fleet_manager):
    DriverFactory.create_batch(60)
    client.force_login(fleet_manager)

    assert len(rows(client.get(URL))) == 60


def test_export_reads_drivers_with_an_iterator_in_constant_queries(
    client, fleet_manager, django_assert_max_num_queries
):
    for driver in DriverFactory.create_batch(30, client=ClientFactory()):
        AssignmentFactory(driver=driver)
    client.force_login(fleet_manager)

    # session, user (permissions with it), the drivers
    with django_assert_max_num_queries(3):
        assert len(rows(client.get(URL))) == 30


@pytest.mark.parametrize(
    ("value", "exported"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("+cmd", "'+cmd"),
        ("+1-1", "'+1-1"),  # a spreadsheet evaluates it to 0 although it looks like a phone number
        ("\tTab", "'\tTab"),
        ("Ann", "Ann"),
    ],
)
def test_export_defuses_spreadsheet_formulas(client, fleet_manager, value, exported):
    DriverFactory(first_name=value)
    client.force_login(fleet_manager)

    assert rows(client.get(URL))[0]["first_name"] == exported


def test_export_quotes_phone_numbers_a_spreadsheet_would_evaluate(client, fleet_manager):
    DriverFactory(phone="+34 600 000 111")
    client.force_login(fleet_manager)

    assert rows(client.get(URL))[0]["phone"] == "'+34 600 00 01 11"  # E.164 stored, shown spaced; quoted
