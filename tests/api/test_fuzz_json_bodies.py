"""Garbage JSON bodies on every write endpoint of the API get its JSON error
(or a success), never a server error.

Bodies: any JSON (deeply nested, numbers up to 10^40, NUL, bidi and
surrogate characters, 100,000-character strings, wrong types in each of the
endpoint's own fields) and raw text no JSON library should accept whole
(1e400, NaN, 50,000 nested `[`, lone surrogate escapes, invalid UTF-8).
A superuser calls, so every endpoint gets past its permission check and
parses the body.
"""

import json
from functools import cache as memoize

import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from fleet.models import Assignment
from tests.api.conftest import bearer, make_slot
from tests.factories import UserFactory
from tests.fleet.factories import DriverFactory, TruckFactory
from tests.security.strategies import NASTY, UNICODE, fuzz
from vaccination.models import Appointment

pytestmark = pytest.mark.django_db

# Every POST, PUT and PATCH of the schema (test_every_write_endpoint_is_fuzzed keeps it whole).
WRITES = [
    ("POST", "/api/v1/appointments/"),
    ("POST", "/api/v1/appointments/{id}/cancel/"),
    ("POST", "/api/v1/appointments/{id}/reschedule/"),
    ("POST", "/api/v1/assignments/"),
    ("POST", "/api/v1/assignments/{id}/release/"),
    ("POST", "/api/v1/checkins/"),
    ("POST", "/api/v1/checkins/sync/"),
    ("POST", "/api/v1/dependents/"),
    ("POST", "/api/v1/offers/{id}/accept/"),
    ("POST", "/api/v1/spare-doses/"),
    ("POST", "/api/v1/standby/"),
    ("POST", "/api/v1/standby/{id}/leave/"),
    ("POST", "/api/v1/walk-ins/"),
    ("POST", "/api/v1/drivers/"),
    ("PUT", "/api/v1/drivers/{id}/"),
    ("PATCH", "/api/v1/drivers/{id}/"),
    ("PUT", "/api/v1/me/"),
    ("PATCH", "/api/v1/me/"),
    ("POST", "/api/v1/trucks/"),
    ("PUT", "/api/v1/trucks/{id}/"),
    ("PATCH", "/api/v1/trucks/{id}/"),
    ("POST", "/api/v1/trucks/{id}/condition/"),
    ("POST", "/api/v1/trucks/{id}/odometer/"),
    ("POST", "/api/v1/trucks/{id}/temperatures/"),
    ("POST", "/api/v1/users/"),
    ("PUT", "/api/v1/users/{id}/"),
    ("PATCH", "/api/v1/users/{id}/"),
]

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    UNICODE,
    NASTY,
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(UNICODE, children, max_size=4),
    max_leaves=12,
)
# Text a JSON library might take and the application could not use.
RAW_VALUES = [
    "1e400",
    "-1e400",
    "NaN",
    "Infinity",
    "-Infinity",
    "1" + "0" * 400,
    "1" + "0" * 5000,
    '"\\u0000"',
    '"a\\u0000b"',
    '"\\ud800"',
    '"\\udfff\\ud800"',
    '"\\u202eevil"',
    "[" * 2000 + "]" * 2000,
    '{"a":' * 2000 + "1" + "}" * 2000,
    '{"\\u0000": 1}',
    '{"\\ud800": 1}',
]
RAW_BODIES = st.sampled_from(
    [
        "[" * 50_000,
        '{"a":' * 50_000,
        "",
        "{",
        "null",
        "[]",
        '"text"',
        "123",
        *RAW_VALUES,
    ]
).map(str.encode) | st.sampled_from([b"\xff\xfe{}", b'{"a": "\xc3"}', b"\x00"])


@memoize
def request_fields(method, path):
    """The endpoint's own request fields, from the OpenAPI schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    body = schema["paths"][path][method.lower()].get("requestBody", {})
    ref = body.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
    if not ref:
        return ("slot", "code", "readings")  # no documented body: try some of ours anyway
    return tuple(schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"])


def bodies(fields):
    as_json = st.fixed_dictionaries({}, optional=dict.fromkeys(fields, JSON)).map(
        lambda data: json.dumps(data).encode()
    )
    raw_field = st.tuples(st.sampled_from(fields), st.sampled_from(RAW_VALUES)).map(
        lambda pair: f'{{"{pair[0]}": {pair[1]}}}'.encode()
    )
    return st.one_of(as_json, raw_field, RAW_BODIES, JSON.map(lambda data: json.dumps(data).encode()))


@pytest.fixture
def world(superuser):
    slot = make_slot_world()
    appointment = Appointment.objects.create(person=superuser, slot=slot)
    assignment = Assignment.objects.create(driver=DriverFactory(), truck=TruckFactory())
    ids = {
        "appointments": appointment.pk,
        "assignments": assignment.pk,
        "drivers": DriverFactory().pk,
        "trucks": TruckFactory().pk,
        "users": UserFactory().pk,
    }
    return bearer(superuser), ids


def make_slot_world():
    from vaccination.models import Site, Vaccine

    site = Site.objects.create(name="Central", address="1 Main Street")
    return make_slot(site, Vaccine.objects.create(name="Flu"), capacity=100)


def test_every_write_endpoint_is_fuzzed():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    writes = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"post", "put", "patch"}
    }
    assert writes == set(WRITES), "add the new write endpoint to WRITES (and its object to `world`)"


@pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_a_garbage_json_body_gets_the_apis_error_never_a_500(world, method, path):
    api, ids = world
    url = path.replace("{id}", str(ids.get(path.split("/")[3], 0)))

    @fuzz
    @given(body=bodies(request_fields(method, path)))
    def check(body):
        cache.clear()  # rate limits would answer 429 after a few examples
        response = api.generic(method, url, body, content_type="application/json")
        assert response.status_code < 500, (response.status_code, body[:200])
        if response.status_code >= 400:
            assert response["Content-Type"].startswith("application/json"), body[:200]
            assert set(response.json()["error"]) >= {"code", "message"}

    check()
