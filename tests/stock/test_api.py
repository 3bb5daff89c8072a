"""The vaccine's API: temperatures from a logger (idempotent, bad input named,
nothing stored from a refused call), lots, stock, movements and excursions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fleet.models import Excursion, TemperatureReading
from stock import services
from stock.models import Lot
from tests.api.conftest import bearer
from vaccination.checkin import record_dose

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.STAFF_MFA_REQUIRED = False


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


def batch(start, minutes, celsius=lambda m: 5.0):
    return [{"at": iso(start + timedelta(minutes=m)), "celsius": celsius(m)} for m in range(minutes)]


@pytest.fixture
def logger(fleet_manager):
    return bearer(fleet_manager)


def post(client, truck, readings):
    return client.post(reverse("api:truck-temperatures", args=[truck.pk]), {"readings": readings}, format="json")


def test_a_logger_posts_readings_and_sending_them_again_stores_nothing_new(logger, truck):
    readings = batch(timezone.now() - timedelta(hours=1), 60)

    first = post(logger, truck, readings)
    again = post(logger, truck, list(reversed(readings)) + readings[:5])

    assert first.status_code == 201
    assert first.json() == {"received": 60, "stored": 60, "duplicates": 0, "excursions": []}
    assert again.json()["stored"] == 0
    assert TemperatureReading.objects.filter(truck=truck).count() == 60


def test_a_posted_40_minute_excursion_quarantines_the_lots_on_board(
    logger, make_lot, mobile_site, truck, checked_in, clinic_staff
):
    first, second = make_lot("LOT-A"), make_lot("LOT-B")
    earlier = timezone.now() - timedelta(hours=3)
    for lot in (first, second):
        services.receive(lot=lot, quantity=10, truck=truck, by=clinic_staff, at=earlier)
    for index in range(6):
        record_dose(appointment=checked_in(mobile_site), lot=("LOT-A", "LOT-B")[index % 2], by=clinic_staff)

    response = post(logger, truck, batch(earlier, 120, lambda m: 11.0 if 60 <= m < 100 else 5.0))

    excursion = Excursion.objects.get()
    assert response.json()["excursions"] == [excursion.pk]
    assert set(Lot.objects.values_list("status", flat=True)) == {"quarantined"}
    doses = bearer(clinic_staff).get(reverse("api:excursion-affected-doses", args=[excursion.pk])).json()
    assert len(doses) == 6


@pytest.mark.parametrize(
    ("reading", "field"),
    [
        ({"celsius": 5}, "readings[1].at"),
        ({"at": "yesterday", "celsius": 5}, "readings[1].at"),
        ({"at": "2026-01-01T10:00:00", "celsius": 5}, "readings[1].at"),
        ({"at": "2999-01-01T10:00:00Z", "celsius": 5}, "readings[1].at"),
        ({"at": "2026-01-01T10:00:00Z", "celsius": "NaN"}, "readings[1].celsius"),
        ({"at": "2026-01-01T10:00:00Z", "celsius": 1e9}, "readings[1].celsius"),
        ({"at": "2026-01-01T10:00:00Z", "celsius": -1e9}, "readings[1].celsius"),
        ({"at": "2026-01-01T10:00:00Z", "celsius": "warm"}, "readings[1].celsius"),
        ({"at": "2026-01-01T10:00:00Z", "celsius": True}, "readings[1].celsius"),
        ({"at": "2026-01-01T10:00:00Z"}, "readings[1].celsius"),
        ("5.2", "readings[1]"),
    ],
)
def test_a_bad_reading_refuses_the_whole_call_naming_its_row_and_field(logger, truck, reading, field):
    good = {"at": "2026-01-01T09:59:00Z", "celsius": 5.0}

    response = post(logger, truck, [good, reading])

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert not TemperatureReading.objects.exists()


def test_more_than_10000_readings_or_none_are_refused(logger, truck):
    start = timezone.now() - timedelta(days=10)
    too_many = post(logger, truck, batch(start, 10_001))
    nothing = logger.post(reverse("api:truck-temperatures", args=[truck.pk]), {}, format="json")

    assert too_many.status_code == nothing.status_code == 400
    assert "readings" in too_many.json()["error"]["fields"]
    assert not TemperatureReading.objects.exists()


def test_only_fleet_accounts_post_readings_and_an_unknown_truck_is_404(clinic_staff, driver, logger, truck):
    readings = batch(timezone.now() - timedelta(hours=1), 2)

    assert post(bearer(clinic_staff), truck, readings).status_code == 403
    assert post(bearer(driver), truck, readings).status_code == 403
    assert logger.post("/api/v1/trucks/999999/temperatures/", {"readings": readings}, format="json").status_code == 404


def test_the_readings_of_the_last_hours_are_listed_oldest_first(logger, truck, clinic_staff):
    post(logger, truck, batch(timezone.now() - timedelta(hours=30), 3) + batch(timezone.now() - timedelta(hours=1), 3))

    body = bearer(clinic_staff).get(reverse("api:truck-temperatures", args=[truck.pk])).json()

    assert body["count"] == 3


def test_stock_and_movements_hold_only_the_places_the_user_sees(clinic_staff, fleet_manager, stocked, site, truck):
    services.move(lot=stocked, quantity=2, from_site=site, to_truck=truck, by=clinic_staff)

    staff_stock = bearer(clinic_staff).get(reverse("api:stock-list")).json()
    fleet_stock = bearer(fleet_manager).get(reverse("api:stock-list")).json()
    movements = bearer(fleet_manager).get(reverse("api:movement-list"), {"kind": "moved"}).json()

    assert [(row["site"], row["quantity"]) for row in staff_stock["results"]] == [(site.pk, 8)]
    assert [(row["truck"], row["quantity"]) for row in fleet_stock["results"]] == [(truck.pk, 2)]
    assert [row["quantity"] for row in movements["results"]] == [2]
    lots = bearer(clinic_staff).get(reverse("api:lot-list")).json()
    assert lots["results"][0]["number"] == "FK1234"


def upload(client, truck, text, name="log.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return client.post(reverse("fleet:truck-temperature-upload", args=[truck.pk]), {"file": file})


def test_a_fleet_manager_uploads_a_loggers_csv(client, fleet_manager, truck):
    client.force_login(fleet_manager)

    response = upload(client, truck, "at,celsius\n2026-01-01T10:00:00Z,5.1\n2026-01-01T10:01:00+01:00,5.3\n")

    assert response.status_code == 302
    assert TemperatureReading.objects.filter(truck=truck).count() == 2


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("time,temp\n2026-01-01T10:00:00Z,5\n", "at,celsius"),
        ("at,celsius\n2026-01-01T10:00:00Z,5\n2026-01-01T10:01:00Z,hot\n", "Line 3"),
        ("at,celsius\n,5\n", "Line 2"),
    ],
)
def test_a_csv_in_the_wrong_format_is_refused_naming_the_line_and_nothing_is_stored(
    client, fleet_manager, truck, text, words
):
    client.force_login(fleet_manager)

    response = upload(client, truck, text)

    assert response.status_code == 400
    assert words in response.text
    assert not TemperatureReading.objects.exists()


def test_clinic_staff_may_not_upload_temperatures(client, clinic_staff, truck):
    client.force_login(clinic_staff)
    assert client.get(reverse("fleet:truck-temperature-upload", args=[truck.pk])).status_code == 403
