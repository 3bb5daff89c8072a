"""Bad JSON bodies get the API's JSON error (a 4xx), never a server error.

Found by hand: a slot id of 1e400 (OverflowError), 50,000 nested `[`
(RecursionError) and a NUL character inside the readings of a truck
condition (PostgreSQL refuses it: DataError) each answered an HTML 500.
"""

import json

import pytest
from django.utils import timezone

from tests.api.conftest import bearer
from tests.fleet.factories import TruckFactory

pytestmark = pytest.mark.django_db


def post_raw(client, url, body):
    return client.generic("POST", url, body, content_type="application/json")


def assert_json_error(response, status=400):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"]
    assert error["message"]
    return error


@pytest.mark.parametrize(
    "body",
    [
        '{"slot": 1e400}',
        '{"slot": -1e400}',
        '{"slot": NaN}',
        '{"slot": Infinity}',
        '{"slot": 1' + "0" * 5000 + "}",
        "[" * 50_000,
        '{"a":' * 50_000,
        '{"slot": "\\ud800"}',
        '{"slot": 99999999999999999999999999}',
        '{"slot": "1\\u0000"}',
    ],
    ids=[
        "huge",
        "huge-negative",
        "nan",
        "infinity",
        "5000-digits",
        "deep-list",
        "deep-object",
        "lone-surrogate",
        "out-of-range",
        "nul",
    ],
)
def test_a_booking_with_a_body_no_slot_can_be_made_of_is_a_json_400(person, slot, body):
    assert_json_error(post_raw(bearer(person), "/api/v1/appointments/", body))


def condition(readings: str) -> str:
    """A truck condition report, valid but for `readings` (raw JSON)."""
    recorded_at = json.dumps(timezone.now().isoformat())
    return f'{{"status": "ok", "odometer_km": 100, "recorded_at": {recorded_at}, "readings": {readings}}}'


def test_a_nul_character_in_a_truck_conditions_readings_is_a_json_400(fleet_manager):
    truck = TruckFactory()

    response = post_raw(bearer(fleet_manager), f"/api/v1/trucks/{truck.pk}/condition/", condition('{"a": "\\u0000"}'))

    assert_json_error(response)
    assert not truck.conditions.exists()


def test_a_nul_character_in_a_readings_key_is_a_json_400(fleet_manager):
    truck = TruckFactory()

    response = post_raw(bearer(fleet_manager), f"/api/v1/trucks/{truck.pk}/condition/", condition('{"\\u0000": 1}'))

    assert_json_error(response)
    assert not truck.conditions.exists()


def test_a_lone_surrogate_in_a_truck_conditions_readings_is_a_json_400(fleet_manager):
    truck = TruckFactory()

    response = post_raw(bearer(fleet_manager), f"/api/v1/trucks/{truck.pk}/condition/", condition('{"a": "\\ud800"}'))

    assert_json_error(response)
    assert not truck.conditions.exists()


def test_a_valid_truck_condition_is_still_taken(fleet_manager):
    truck = TruckFactory()

    response = post_raw(bearer(fleet_manager), f"/api/v1/trucks/{truck.pk}/condition/", condition('{"a": 7.5}'))

    assert response.status_code == 201, response.content


def test_django_validation_and_database_value_errors_get_the_json_400():
    from django.core.exceptions import ValidationError
    from django.db import DataError

    from api.errors import exception_handler

    refused = exception_handler(ValidationError({"odometer_km": ["Too large."]}), {})
    not_stored = exception_handler(DataError("value too long for type character varying(150)"), {})

    assert refused.status_code == 400
    assert refused.data["error"]["fields"] == {"odometer_km": ["Too large."]}
    assert not_stored.status_code == 400
    assert not_stored.data["error"]["code"] == "invalid"
    assert "character varying" not in not_stored.data["error"]["message"]
