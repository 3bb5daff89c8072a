"""Schemathesis against our own OpenAPI schema, in process (WSGI): for a few
roles, every operation gets generated requests, and no response may be a
server error or break the schema (status code documented, body matching)."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import ApiToken
from fleet.models import TruckCondition
from project.wsgi import application

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]
# Bounded so the whole run stays well under two minutes on a shared machine;
# VAXFLEET_SCHEMATHESIS_EXAMPLES=50 for a longer search.
EXAMPLES = int(os.environ.get("VAXFLEET_SCHEMATHESIS_EXAMPLES", "8"))


def load_schema():
    from drf_spectacular.generators import SchemaGenerator

    return schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


@pytest.fixture
def keep_test_connection():
    """Calling the WSGI app directly sends request_started/finished, whose
    close_old_connections would close the test's transaction; Django's own
    test client disconnects it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def roles(world, keep_test_connection):
    users, args = world
    TruckCondition.objects.create(truck_id=args["truck"], status="ok", recorded_at=timezone.now())
    return users


def check_operation(operation, secret, calls):
    """Hypothesis drives the operation; any failed check raises."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    @given(case=operation.as_strategy())
    def run(case):
        calls.append(operation.label)
        response = case.call(app=application, headers={"Authorization": f"Bearer {secret}"})
        case.validate_response(response, checks=CHECKS)

    run()


FAST = {"anon": "10000/min", "user": "10000/min", "token": "10000/min"}


@pytest.mark.parametrize("role", ["person", "clinic_staff", "fleet_manager", "client_a", "superuser"])
def test_schemathesis_finds_no_server_error_and_no_response_outside_the_schema(roles, role, settings):
    settings.ALLOWED_HOSTS = ["localhost"]  # schemathesis calls the WSGI app as http://localhost
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": FAST}
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "book": "10000/m/user", "check_in": "10000/m/user"}
    _token, secret = ApiToken.issue(user=roles[role], name="schemathesis", days=1)
    operations = [result.ok() for result in load_schema().get_all_operations()]
    failures, calls = [], []

    for operation in operations:
        try:
            check_operation(operation, secret, calls)
        except Exception as error:  # every failing operation is reported, not only the first
            failures.append(f"{operation.label}: {error}")

    print(f"\nschemathesis as {role}: {len(operations)} operations, {len(calls)} requests, {len(failures)} failures")
    assert len(operations) > 20
    assert len(calls) > len(operations)
    assert failures == []
