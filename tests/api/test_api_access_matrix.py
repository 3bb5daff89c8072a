"""Every API URL, for every role, against one declared policy (the web
pages' access matrix, tests/test_access_matrix.py, extended to /api/v1/).

Each role calls with a token of its own, as an integration does. Another
person's or company's object is 404; a role without the right gets 403;
no credentials get 401. GET for everything readable; the POST-only actions
are sent an empty JSON body, so a caller that may use them gets 400 (or, for
cancel and release, the action itself) and one that may not gets 403/404.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from fleet.models import TruckCondition
from tests.api.conftest import bearer
from tests.test_access_matrix import ROLES, project_routes

pytestmark = pytest.mark.django_db

UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, OK, INVALID = 401, 403, 404, 200, 400


def everyone(code):
    return dict.fromkeys(ROLES, code)


def signed_in(code, **overrides):
    return {**everyone(code), "anonymous": UNAUTHENTICATED, **overrides}


def only(allowed, *, code=OK, others=FORBIDDEN):
    return signed_in(others, **dict.fromkeys(allowed, code))


FLEET_READ = ("clinic_staff", "fleet_manager", "superuser")
FLEET_WRITE = ("fleet_manager", "superuser")
CLINIC = ("clinic_staff", "superuser")
CLIENTS = ("client_a", "client_b")

API_POLICY = {
    "api:me": signed_in(OK),
    "api:unknown-url": everyone(NOT_FOUND),
    "api:user-list": only(("superuser",)),
    "api:user-detail": only(("superuser",)),
    "api:site-list": everyone(OK),
    "api:site-detail": everyone(OK),
    "api:slot-list": everyone(OK),
    "api:slot-detail": everyone(OK),
    "api:appointment-list": signed_in(OK),
    "api:appointment-detail": signed_in(NOT_FOUND, person=OK),
    "api:appointment-cancel": signed_in(NOT_FOUND, person=OK),
    "api:appointment-reschedule": signed_in(NOT_FOUND, person=INVALID),
    "api:checkin-list": only(CLINIC, code=INVALID),
    # The offline desk: today's roster, and the sync of its queue (an empty body is not a list: 400).
    "api:checkin-roster": only(CLINIC),
    "api:checkin-sync": only(CLINIC, code=INVALID),
    "api:driver-list": only(FLEET_READ + CLIENTS),
    # Company A's driver: company B's client user gets 404, as for a driver that does not exist.
    "api:driver-detail": only((*FLEET_READ, "client_a")) | {"client_b": NOT_FOUND},
    "api:truck-list": only(FLEET_READ),
    "api:truck-detail": only(FLEET_READ),
    "api:truck-condition": only(FLEET_READ),
    "api:truck-readiness": only(FLEET_READ),
    "api:truck-odometer": only(FLEET_WRITE, code=INVALID),
    "api:readiness-list": only((*FLEET_READ, "campaign_lead")),
    "api:assignment-list": only(FLEET_READ),
    "api:assignment-detail": only(FLEET_READ),
    # The roles call in turn on one world: the manager's release ends the
    # assignment, so the superuser, allowed too, finds it already ended.
    "api:assignment-release": only(FLEET_WRITE) | {"superuser": 409},
    # The vaccine's side: as the stock pages (the world's truck carries no
    # mobile clinic of the nurse's, so its excursion is not hers to see).
    "api:lot-list": only((*FLEET_READ, "campaign_lead")),
    "api:lot-detail": only((*FLEET_READ, "campaign_lead")),
    "api:stock-list": only((*FLEET_READ, "campaign_lead")),
    "api:movement-list": only((*FLEET_READ, "campaign_lead")),
    "api:excursion-list": only((*FLEET_READ, "campaign_lead")),
    "api:excursion-detail": only((*FLEET_READ, "campaign_lead")) | {"clinic_staff": NOT_FOUND},
    "api:excursion-affected-doses": only(("superuser", "campaign_lead")) | {"clinic_staff": NOT_FOUND},
    "api:truck-temperatures": only((*FLEET_READ, "campaign_lead")),
    # Walk-ins and spare doses (the desk), standby and offers (a person's own), dependents (a carer's own).
    "api:walk-in-list": only(CLINIC, code=INVALID),
    "api:spare-doses-list": only(CLINIC),
    "api:standby-list": signed_in(OK),
    "api:standby-detail": signed_in(NOT_FOUND, person=OK),
    "api:standby-leave": signed_in(NOT_FOUND, person=OK),
    "api:offer-list": signed_in(OK),
    "api:offer-detail": signed_in(NOT_FOUND, person=OK),
    "api:offer-accept": signed_in(NOT_FOUND, person=OK),
    "api:dependent-list": signed_in(OK),
    "api:dependent-detail": signed_in(NOT_FOUND, person=OK),
}
POST_ONLY = {
    "api:appointment-cancel",
    "api:appointment-reschedule",
    "api:checkin-list",
    "api:checkin-sync",
    "api:assignment-release",
    "api:truck-odometer",
    "api:walk-in-list",
    "api:standby-leave",
    "api:offer-accept",
}


def test_every_api_url_has_a_declared_policy():
    names = {name for name, _ in project_routes() if str(name).startswith("api:")}

    assert names == set(API_POLICY)


@pytest.fixture
def api_world(world):
    users, args = world
    args = {**args, "site": None, "slot": None, "user": users["person"].pk}
    from standby.models import Offer

    args["offer"] = Offer.objects.get().pk  # the pages' matrix names it by its signed link
    from vaccination.models import Appointment

    appointment = Appointment.objects.select_related("slot").get(pk=args["appointment"])
    args["slot"], args["site"] = appointment.slot_id, appointment.slot.site_id
    from fleet.models import Assignment

    args["assignment"] = Assignment.objects.get(truck_id=args["truck"]).pk
    TruckCondition.objects.create(truck_id=args["truck"], status="ok", recorded_at=appointment.created_at)
    return users, args


def api_url(name, args):
    kind = name.split(":")[1].rsplit("-", 1)[0]
    if name.endswith(("-list", "-roster", "-sync")) or name in {"api:me", "api:unknown-url"}:
        return reverse(name)
    return reverse(name, args=[args[kind]])


@pytest.mark.parametrize("name", sorted(API_POLICY))
def test_each_role_gets_what_the_api_policy_says(api_world, name):
    users, args = api_world
    url = api_url(name, args)
    got = {}
    for role in ROLES:
        client = APIClient() if users[role] is None else bearer(users[role])
        response = client.post(url, {}, format="json") if name in POST_ONLY else client.get(url)
        got[role] = response.status_code
        if response.status_code >= 400:
            assert set(response.json()["error"]) >= {"code", "message"}, (role, response.content)

    assert got == API_POLICY[name]


@pytest.mark.parametrize(
    ("role", "drivers"),
    [("client_a", 1), ("client_b", 0), ("clinic_staff", 1), ("fleet_manager", 1)],
)
def test_the_driver_list_holds_only_what_the_role_sees_on_the_pages(api_world, role, drivers):
    users, _args = api_world

    body = bearer(users[role]).get(reverse("api:driver-list")).json()

    assert body["count"] == drivers


def test_a_client_user_gets_only_the_portal_fields_of_a_driver(api_world):
    users, args = api_world

    body = bearer(users["client_a"]).get(reverse("api:driver-detail", args=[args["driver"]])).json()

    assert set(body) == {"id", "first_name", "last_name", "phone", "licence_expiry", "licence_status", "current_truck"}


@pytest.mark.parametrize("role", ["other_person", "clinic_staff", "fleet_manager", "superuser"])
def test_nobody_lists_another_persons_appointments(api_world, role):
    users, _args = api_world

    body = bearer(users[role]).get(reverse("api:appointment-list")).json()

    assert body["count"] == 0


def test_the_person_lists_their_own_appointment(api_world):
    users, args = api_world

    body = bearer(users["person"]).get(reverse("api:appointment-list")).json()

    assert [row["id"] for row in body["results"]] == [args["appointment"]]


# Writes: each writing method of each URL, for every role. An empty body is
# enough to tell the rules apart: a caller allowed to write gets 400 (the
# body is invalid) or 200 (PATCH with nothing to change), one who is not
# gets 403, or 404 for another person's object; no credentials get 401.
WRITE_POLICY = {
    ("post", "api:appointment-list"): signed_in(INVALID),
    ("post", "api:user-list"): only(("superuser",), code=INVALID),
    ("patch", "api:user-detail"): only(("superuser",)),
    ("delete", "api:user-detail"): only(("superuser",), code=204),
    ("patch", "api:me"): signed_in(OK),
    ("post", "api:driver-list"): only(FLEET_WRITE, code=INVALID),
    ("patch", "api:driver-detail"): only(FLEET_WRITE),
    ("post", "api:truck-list"): only(FLEET_WRITE, code=INVALID),
    ("patch", "api:truck-detail"): only(FLEET_WRITE),
    ("post", "api:truck-condition"): only(FLEET_WRITE, code=INVALID),
    ("post", "api:assignment-list"): only(FLEET_WRITE, code=INVALID),
    ("post", "api:truck-temperatures"): only(FLEET_WRITE, code=INVALID),
    ("post", "api:spare-doses-list"): only(CLINIC, code=INVALID),
    ("post", "api:standby-list"): signed_in(INVALID),
    ("post", "api:dependent-list"): signed_in(INVALID),
}


@pytest.mark.parametrize(("method", "name"), sorted(WRITE_POLICY))
def test_each_role_may_write_only_what_the_api_policy_says(api_world, method, name):
    users, args = api_world
    url = api_url(name, args)
    got = {}
    for role in ROLES:
        client = APIClient() if users[role] is None else bearer(users[role])
        got[role] = getattr(client, method)(url, {}, format="json").status_code

    assert got == WRITE_POLICY[(method, name)]


def test_every_writing_method_of_the_api_is_in_a_policy():
    from django.urls import resolve

    declared = {(method, name) for method, name in WRITE_POLICY} | {("post", name) for name in POST_ONLY}
    for name, _pattern in project_routes():
        if not str(name).startswith("api:") or name == "api:unknown-url":
            continue
        view = resolve(
            api_url(
                name,
                {
                    **dict.fromkeys(("appointment", "user", "driver", "truck", "assignment", "slot", "site"), 1),
                    **dict.fromkeys(("standby", "offer", "dependent"), 1),
                    **dict.fromkeys(("lot", "excursion", "excursion-affected"), 1),
                },
            )
        ).func
        methods = set(getattr(view, "actions", {}) or {}) or {
            m for m in ("post", "put", "patch", "delete") if hasattr(view.view_class, m)
        }
        for method in methods & {"post", "patch", "delete"}:
            assert (method, name) in declared, f"declare who may {method.upper()} {name}"
