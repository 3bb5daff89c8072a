"""Every URL of the project, for every role, against one declared policy.

The test walks the URL configuration: a new URL of ours without a line in
POLICY fails it. allauth's and the admin's own URLs (the THIRD_PARTY prefixes)
have their declared policy in tests/test_access_matrix_third_party.py, which
walks them the same way, so nothing is skipped silently. Each URL is fetched with GET
and each action that only takes POST with an empty POST, since a GET of it
answers 405 to everyone before any access rule runs.
"""

from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.dependents import add_dependent
from accounts.roles import Role
from api.models import ApiToken
from fleet.models import Assignment, Excursion
from readiness.models import ChecklistItem, Defect, Inspection, InspectionAnswer
from standby.models import Offer, SpareDoses, StandbyEntry
from standby.services import offer_token
from stock.models import Lot
from tests.accounts.test_staff_mfa import with_totp
from tests.factories import UserFactory
from tests.fleet.factories import ClientFactory, ClientMembershipFactory, DriverFactory, TruckFactory
from vaccination.models import Appointment, Site, Slot, Vaccine

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "person",
    "other_person",
    "clinic_staff",
    "fleet_manager",
    "driver",
    "client_a",
    "client_b",
    "campaign_lead",
    "superuser",
]

LOGIN = "login"  # 302 to the login page
OK, FORBIDDEN, NOT_FOUND = 200, 403, 404


def everyone(code):
    return dict.fromkeys(ROLES, code)


def signed_in(code, **overrides):
    return {**everyone(code), "anonymous": LOGIN, **overrides}


def only(allowed, *, code=OK, others=FORBIDDEN):
    """The roles in `allowed` get `code`, other signed-in roles `others`."""
    return signed_in(others, **dict.fromkeys(allowed, code))


FLEET_READ = ("clinic_staff", "fleet_manager", "superuser")
FLEET_WRITE = ("fleet_manager", "superuser")
CLINIC = ("clinic_staff", "superuser")
CAMPAIGN = ("campaign_lead", "superuser")
# The person's own appointment: another signed-in user, whatever the role, gets
# 404 (never 403, never 200), so nobody learns that it exists.
OWN_APPOINTMENT = signed_in(NOT_FOUND, person=OK)

POLICY = {
    # A driver's home is their truck (project.views.home); signing in leads
    # every role through "landing" to its work page or home.
    "home": everyone(OK) | {"driver": 302},
    "landing": everyone(302),
    "healthz": everyone(OK),
    "privacy": everyone(OK),
    "accessibility": everyone(OK),
    "help": everyone(OK),
    "favicon": everyone(301),
    # The footer's language switcher: a cookie (and the user's language) and back.
    "set_language": everyone(302),
    "accounts:profile": signed_in(OK),
    # Own data only: there is no id in these URLs to point at someone else's.
    "accounts:data-export": signed_in(OK),
    "accounts:delete": signed_in(OK),
    "vaccination:appointment-list": signed_in(OK),
    "vaccination:book": everyone(OK),
    # Without ?slot= the check page sends everyone back to the picker.
    "vaccination:book-check": everyone(302),
    "vaccination:book-for-check": signed_in(NOT_FOUND, person=302),
    "vaccination:appointment-booked": OWN_APPOINTMENT,
    # A seat held while an anonymous visitor confirms their email (issue 22.5):
    # without a hold in this browser session, each page goes back to the picker.
    "vaccination:hold": everyone(302),
    "vaccination:hold-release": everyone(302),
    "vaccination:hold-finish": signed_in(302),
    # Signing up with an emailed code; someone signed in is sent home.
    "accounts:signup-code": {**everyone(302), "anonymous": OK},
    "vaccination:record": signed_in(OK),
    "vaccination:appointment-detail": OWN_APPOINTMENT,
    "vaccination:appointment-calendar": OWN_APPOINTMENT,
    "vaccination:appointment-reschedule": OWN_APPOINTMENT,
    # Without ?slot= the check of a new time sends the person back to the picker.
    "vaccination:appointment-reschedule-check": signed_in(NOT_FOUND, person=302),
    "vaccination:appointment-cancel": signed_in(NOT_FOUND, person=302),
    "vaccination:appointment-screening": OWN_APPOINTMENT,
    # The people a person cares for: the carer's own dependent, 404 for anyone else.
    "vaccination:people": signed_in(OK),
    "vaccination:book-for": signed_in(NOT_FOUND, person=OK),
    "vaccination:person-record": signed_in(NOT_FOUND, person=OK),
    "vaccination:person-login": signed_in(NOT_FOUND, person=302),
    "clinic:checkin": only(CLINIC),
    # The desk as an installable app: its service worker and manifest hold
    # no data (file names, the app's name), and browsers fetch the manifest
    # without cookies.
    "clinic:desk-sw": everyone(OK),
    "clinic:desk-manifest": everyone(OK),
    "clinic:find": only(CLINIC),
    "clinic:today": only(CLINIC),
    "clinic:today-rows": only(CLINIC),
    "clinic:appointment": only(CLINIC),
    "clinic:record-dose": only(CLINIC, code=302),
    "clinic:undo": only(CLINIC, code=302),
    # A no-show marked (or undone) from the board: another clinic's is 404.
    "clinic:no-show": only(CLINIC, code=302),
    "clinic:undo-no-show": only(CLINIC, code=302),
    "clinic:screening": only(CLINIC),
    # Walk-ins and spare doses at the desk; a person's standby list and offers
    # (another person's entry or offer link is 404, as an unknown one).
    "desk:walk-in": only(CLINIC),
    "desk:spare-doses": only(CLINIC),
    "standby:list": signed_in(OK),
    "standby:leave": signed_in(NOT_FOUND, person=302),
    "standby:offer": signed_in(NOT_FOUND, person=OK),
    "fleet:driver-list": only(FLEET_READ),
    "fleet:driver-detail": only(FLEET_READ),
    "fleet:truck-list": only(FLEET_READ),
    "fleet:truck-detail": only(FLEET_READ),
    "fleet:driver-create": only(FLEET_WRITE),
    "fleet:driver-edit": only(FLEET_WRITE),
    "fleet:truck-create": only(FLEET_WRITE),
    "fleet:truck-edit": only(FLEET_WRITE),
    "fleet:driver-export": only(FLEET_WRITE),
    "fleet:driver-assign": only(FLEET_WRITE, code=302),
    "fleet:driver-release": only(FLEET_WRITE, code=302),
    "fleet:me": only(("driver", "superuser")),
    "readiness:at-risk": only((*FLEET_READ, "campaign_lead")),
    "readiness:export": only(FLEET_WRITE),
    "readiness:reassign-truck": only(FLEET_WRITE, code=302),
    "readiness:assign-driver": only(FLEET_WRITE, code=302),
    "readiness:close-defect": only(FLEET_WRITE, code=302),
    "readiness:inspect": only(("driver", "superuser")),
    "readiness:inspection-photo": only(FLEET_READ),
    "fleet:client": only(("client_a", "client_b", "superuser")),
    "fleet:client-export": only(("client_a", "client_b", "superuser")),
    # Company A's driver: company B's client user gets 404, as for a driver
    # that does not exist; so does a superuser, who belongs to no company.
    "fleet:client-driver": only(("client_a",)) | {"client_b": NOT_FOUND, "superuser": NOT_FOUND},
    "campaign:overview": only(CAMPAIGN),
    "campaign:export-csv": only(CAMPAIGN),
    "campaign:export-fhir": only(CAMPAIGN),
    # Setting up clinics (issue 22.13): leads and admins; clinic staff see clinics but do not set them up.
    "campaign:clinic-list": only(CAMPAIGN),
    "campaign:clinic-create": only(CAMPAIGN),
    "campaign:clinic-detail": only(CAMPAIGN),
    "campaign:clinic-edit": only(CAMPAIGN),
    "campaign:clinic-hours": only(CAMPAIGN),
    "campaign:clinic-staff": only(CAMPAIGN),
    "campaign:clinic-slots": only(CAMPAIGN),
    "admin:index": signed_in(LOGIN, superuser=OK),
    # API tokens: for every role, and for a person who asked for them on the
    # profile (the person here did; other_person did not); another user's
    # token is 404 on revoke.
    "tokens:list": signed_in(OK, other_person=FORBIDDEN),
    "tokens:revoke": signed_in(NOT_FOUND, person=302, other_person=FORBIDDEN),
    # The API's documentation is public; the API itself has its own matrix
    # (tests/api/test_api_access_matrix.py, which covers every "api:" URL).
    "api-schema": everyone(OK),
    "api-docs": everyone(OK),
    # Stock: a clinic's own, a truck's for fleet managers (clinic staff: their
    # mobile clinics' trucks only, and the world's truck is not one), excursions'
    # affected doses for clinic staff of the truck and leads, decisions for leads.
    "fleet:truck-temperature-upload": only(FLEET_WRITE),
    "stock:clinic": only((*CLINIC, "campaign_lead")),
    "stock:lot-create": only(CLINIC),
    "stock:truck": only((*FLEET_READ, "campaign_lead")) | {"clinic_staff": NOT_FOUND},
    "stock:excursions": only((*FLEET_READ, "campaign_lead")),
    "stock:excursion": only((*CLINIC, "campaign_lead")) | {"clinic_staff": NOT_FOUND},
    "stock:affected-csv": only((*CLINIC, "campaign_lead")) | {"clinic_staff": NOT_FOUND},
    # The campaign lead decides on quarantined lots (PRODUCT.md).
    "stock:lot-release": only(CAMPAIGN, code=302),
    "stock:lot-discard": only(CAMPAIGN, code=302),
}

THIRD_PARTY = ("admin:", "account_", "mfa_", "api:")
POST_ONLY = {
    "set_language",
    "vaccination:hold-release",
    "vaccination:appointment-cancel",
    "clinic:record-dose",
    "clinic:undo",
    "clinic:no-show",
    "clinic:undo-no-show",
    "fleet:driver-assign",
    "fleet:driver-release",
    "readiness:reassign-truck",
    "readiness:assign-driver",
    "readiness:close-defect",
    "tokens:revoke",
    "stock:lot-release",
    "stock:lot-discard",
    "standby:leave",
    "vaccination:person-login",
}


def project_routes(patterns=None, namespace=None):
    """(name, pattern) of every named URL, namespaced like reverse() wants."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from project_routes(entry.url_patterns, entry.namespace or namespace)
        else:
            name = entry.name or getattr(entry.callback, "__name__", None)
            yield (f"{namespace}:{name}" if namespace else name), entry


def test_every_url_of_ours_has_a_declared_policy():
    names = {name for name, _ in project_routes() if not str(name).startswith(THIRD_PARTY)}

    assert names - set(POLICY) == set(), "declare who may open these URLs in POLICY"
    assert set(POLICY) - names - {"admin:index"} == set(), "POLICY names URLs that no longer exist"


@pytest.fixture
def world(
    person, other_person, clinic_staff, fleet_manager, driver, client_user, campaign_lead, superuser, settings, tmp_path
):
    """One of everything: the person's appointment at a clinic the nurse works
    at, company A with its driver (the driver account) and client user, and
    company B with its own client user. Staff two-factor is required, as in
    production, and the staff accounts have set it up."""
    settings.STAFF_MFA_REQUIRED = True
    for staff in (clinic_staff, fleet_manager, campaign_lead, superuser):
        with_totp(staff)
    site = Site.objects.create(name="Central", address="1 Main Street")
    site.staff.add(clinic_staff)
    vaccine = Vaccine.objects.create(name="Flu")
    start = timezone.now() + timedelta(days=2)
    slot = Slot.objects.create(site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=3)
    appointment = Appointment.objects.create(person=person, slot=slot)
    slot.booked_count = 1
    slot.save()

    company_a, company_b = ClientFactory(name="Company A"), ClientFactory(name="Company B")
    ClientMembershipFactory(user=client_user, client=company_a)
    client_b = UserFactory(email="client-b@example.org", roles=[Role.CLIENT_USER])
    ClientMembershipFactory(user=client_b, client=company_b)
    record = DriverFactory(user=driver, client=company_a)
    truck = TruckFactory()
    Assignment.objects.create(driver=record, truck=truck, since=timezone.now(), assigned_by=fleet_manager)

    users = {
        "anonymous": None,
        "person": person,
        "other_person": other_person,
        "clinic_staff": clinic_staff,
        "fleet_manager": fleet_manager,
        "driver": driver,
        "client_a": client_user,
        "client_b": client_b,
        "campaign_lead": campaign_lead,
        "superuser": superuser,
    }
    person.wants_api = True  # asked for API tokens on the profile
    person.save(update_fields=["wants_api"])
    token, _secret = ApiToken.issue(user=person, name="script", days=30)
    lot = Lot.objects.create(vaccine=vaccine, number="FLU1", expires_on=start.date() + timedelta(days=90))
    now = timezone.now()
    excursion = Excursion.objects.create(
        truck=truck, started_at=now, last_out_at=now, low_celsius=2, high_celsius=8, worst_celsius=9
    )
    settings.MEDIA_ROOT = tmp_path / "media"
    mobile = Site.objects.create(name="Mobile", address="Square", is_mobile=True, truck=truck)
    item = ChecklistItem.objects.create(name="Tyres", critical=True)
    inspection = Inspection.objects.create(truck=truck, driver=record)
    answer = InspectionAnswer(inspection=inspection, item=item, passed=False)
    answer.photo.save("x.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 16), save=True)
    defect = Defect.objects.create(truck=truck, answer=answer, description="Tyres", critical=True)
    entry = StandbyEntry.objects.create(person=person, site=site, first_day=site.today(), last_day=site.today())
    spare = SpareDoses.objects.create(slot=slot, doses=1, until=slot.start, reason=SpareDoses.Reason.FREED)
    offer = Offer.objects.create(spare=spare, entry=entry, expires_at=timezone.now() + timedelta(minutes=20))
    args = {
        "appointment": appointment.pk,
        "driver": record.pk,
        "truck": truck.pk,
        "token": token.pk,
        "site": mobile.pk,
        "defect": defect.pk,
        "answer": answer.pk,
        "lot": lot.pk,
        "excursion": excursion.pk,
        "excursion-affected": excursion.pk,
        "standby": entry.pk,
        "offer": offer_token(offer),
        "dependent": add_dependent(carer=person, first_name="Kim", last_name="Kid", date_of_birth=date(2015, 1, 1)).pk,
    }
    return users, args


def url_for(name, args):
    if name == "favicon":
        return "/favicon.ico"
    kind = name.split(":")[0]
    if name == "standby:offer":
        return reverse(name, args=[args["offer"]])
    if name in (
        "vaccination:book-for",
        "vaccination:book-for-check",
        "vaccination:person-record",
        "vaccination:person-login",
    ):
        return reverse(name, args=[args["dependent"]])
    needs_pk = "<int:pk>" in str(dict(project_routes())[name].pattern)
    if not needs_pk:
        return reverse(name)
    key = {
        "vaccination": "appointment",
        "clinic": "appointment",
        "tokens": "token",
        "readiness:reassign-truck": "site",
        "readiness:assign-driver": "truck",
        "readiness:close-defect": "defect",
        "readiness:inspection-photo": "answer",
        "stock:lot-release": "lot",
        "stock:lot-discard": "lot",
        "stock:affected-csv": "excursion",
        "standby": "standby",
        "campaign": "site",
    }
    key = key.get(name) or key.get(kind) or ("excursion" if "excursion" in name else None)
    key = key or ("truck" if "truck" in name else "driver")
    return reverse(name, args=[args[key]])


@pytest.mark.parametrize("name", sorted(POLICY))
def test_each_role_gets_what_the_policy_says(client, world, name):
    users, args = world
    url = url_for(name, args)
    got = {}
    for role in ROLES:
        client.logout()
        if users[role] is not None:
            client.force_login(users[role])
        response = client.post(url) if name in POST_ONLY else client.get(url)
        if response.status_code == 302 and "/login/" in response["Location"]:
            got[role] = LOGIN
        else:
            got[role] = response.status_code

    assert got == POLICY[name]
