"""The admin's and allauth's URLs, for every role, against a declared policy.

The companion of tests/test_access_matrix.py, which covers our own URLs:
together they walk every URL pattern of the project. A new admin model or a
new allauth page without a rule here fails `test_every_third_party_url_has_a_rule`.

The admin: every page is for superusers only. Anyone else is sent to a login
page: anonymous visitors to allauth's, signed-in users without admin access
to the admin's login, which refuses them (403, see
tests/accounts/test_login.py). Object pages are fetched with a real object
of each model. The audit log is read-only, even for a superuser.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

import outbox
from accounts.models import User
from api.models import ApiToken
from audit.models import AuditEvent
from fleet.models import Assignment, Client, ClientMembership, Driver, Excursion, Truck, TruckCondition
from outbox.models import Message
from places.models import Place
from readiness.models import (
    ChecklistItem,
    Defect,
    Document,
    DocumentType,
    Inspection,
    OdometerReading,
    ServicePlan,
    ServiceRecord,
)
from standby.models import Offer, SpareDoses, StandbyEntry
from stock import services as stock_services
from stock.models import ColdChainAlert, Lot, Quarantine, StockLevel, StockMovement
from tests import test_access_matrix
from tests.test_access_matrix import (
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    ROLES,
    everyone,
    project_routes,
    signed_in,
)
from vaccination.models import Appointment, CheckInLog, Site, Slot, Vaccine

pytestmark = pytest.mark.django_db

# The same users and objects as our own URLs' matrix.
world = test_access_matrix.world

MODELS = {
    "auth/group": Group,
    "accounts/user": User,
    "fleet/client": Client,
    "fleet/clientmembership": ClientMembership,
    "fleet/driver": Driver,
    "fleet/truck": Truck,
    "fleet/assignment": Assignment,
    "vaccination/vaccine": Vaccine,
    "vaccination/site": Site,
    "vaccination/slot": Slot,
    "vaccination/appointment": Appointment,
    "vaccination/checkinlog": CheckInLog,
    "audit/auditevent": AuditEvent,
    "account/emailaddress": EmailAddress,
    "mfa/authenticator": Authenticator,
    "fleet/truckcondition": TruckCondition,
    "api/apitoken": ApiToken,
    "fleet/excursion": Excursion,
    "stock/lot": Lot,
    "stock/stocklevel": StockLevel,
    "stock/stockmovement": StockMovement,
    "stock/quarantine": Quarantine,
    "stock/coldchainalert": ColdChainAlert,
    "outbox/message": Message,
    "readiness/checklistitem": ChecklistItem,
    "readiness/defect": Defect,
    "readiness/document": Document,
    "readiness/documenttype": DocumentType,
    "readiness/inspection": Inspection,
    "readiness/odometerreading": OdometerReading,
    "readiness/serviceplan": ServicePlan,
    "readiness/servicerecord": ServiceRecord,
    "standby/offer": Offer,
    "standby/sparedoses": SpareDoses,
    "standby/standbyentry": StandbyEntry,
    "places/place": Place,
}
# Admin pages of a model, by the end of their route, and what a superuser gets.
MODEL_PAGES = {"": OK, "add/": OK, "<id>/change/": OK, "<id>/history/": OK, "<id>/delete/": OK, "<id>/": 302}
# Logs and records the admin shows but never writes: appointments are booked
# through the booking service, the desk log and the audit log only grow.
READ_ONLY = {
    "audit/auditevent": {"add/": FORBIDDEN, "<id>/delete/": FORBIDDEN},
    "vaccination/checkinlog": {"add/": FORBIDDEN, "<id>/delete/": FORBIDDEN},
    "vaccination/appointment": {"add/": FORBIDDEN},
    # Reports come from the monitoring systems, tokens from their owners' account page.
    "fleet/truckcondition": {"add/": FORBIDDEN},
    "api/apitoken": {"add/": FORBIDDEN},
    # Found in the readings, and what follows from the ledger: doses change
    # only through stock.services; a lot is made here.
    "fleet/excursion": {"add/": FORBIDDEN, "<id>/delete/": FORBIDDEN},
    "stock/stocklevel": {"add/": FORBIDDEN, "<id>/delete/": FORBIDDEN},
    "stock/stockmovement": {"add/": FORBIDDEN, "<id>/delete/": FORBIDDEN},
    "stock/quarantine": {"add/": FORBIDDEN, "<id>/delete/": FORBIDDEN},
    "stock/coldchainalert": {"add/": FORBIDDEN, "<id>/delete/": FORBIDDEN},
    # The sending log: rows come from the code that owes a message, and stay.
    "outbox/message": {"add/": FORBIDDEN, "<id>/delete/": FORBIDDEN},
    # A defect comes from a failed inspection, an inspection from the driver's
    # form; offers and spare doses from the desk and the standby services.
    "readiness/defect": {"add/": FORBIDDEN},
    "readiness/inspection": {"add/": FORBIDDEN},
    "standby/offer": {"add/": FORBIDDEN},
    "standby/sparedoses": {"add/": FORBIDDEN},
}
# Per model: change/ of a user lives at <id>/password/ as well.
EXTRA_MODEL_PAGES = {"accounts/user": {"<id>/password/": OK}}
# Admin pages that are not a model's.
ADMIN_PAGES = {
    "admin/": OK,
    "admin/password_change/": OK,
    "admin/password_change/done/": OK,
    "admin/autocomplete/": FORBIDDEN,  # without a field to complete
    "admin/jsi18n/": OK,
    "admin/r/<ct>/<id>/": 302,  # "view on site" of a driver: their page
    "admin/<app>/": OK,
    "admin/no-such-page/": NOT_FOUND,
}
NON_ADMIN = dict.fromkeys([role for role in ROLES if role != "superuser"], LOGIN)
# The two admin pages that are about signing in and out.
ADMIN_SESSION_PAGES = {
    # allauth's secure_admin_login: anonymous to allauth's login, a signed-in
    # user without admin access refused, an admin sent on to the index.
    "admin/login/": signed_in(FORBIDDEN, superuser=302),
    # Signing out is a POST (405); the admin sends anyone else to its index,
    # which sends them to log in.
    "admin/logout/": {**everyone(302), "superuser": 405},
}


def admin_expected(route_key):
    """The declared policy of one admin page: superusers as listed, everyone else to a login page."""
    if route_key in ADMIN_SESSION_PAGES:
        return ADMIN_SESSION_PAGES[route_key]
    if route_key in ADMIN_PAGES:
        return {**NON_ADMIN, "superuser": ADMIN_PAGES[route_key]}
    model, page = route_key
    code = {**MODEL_PAGES, **EXTRA_MODEL_PAGES.get(model, {}), **READ_ONLY.get(model, {})}[page]
    return {**NON_ADMIN, "superuser": code}


# allauth's pages. Tokens in their URLs are invalid on purpose: a wrong key
# must be answered with a page that says so, never another person's account.
ALLAUTH = {
    "account_login": "/accounts/login/",
    "account_signup": "/accounts/signup/",
    "account_logout": "/accounts/logout/",
    "account_inactive": "/accounts/inactive/",
    "account_reauthenticate": "/accounts/reauthenticate/",
    "account_email": "/accounts/email/",
    "account_email_verification_sent": "/accounts/confirm-email/",
    "account_confirm_email": "/accounts/confirm-email/not-a-real-key/",
    "account_change_password": "/accounts/password/change/",
    "account_set_password": "/accounts/password/set/",
    "account_reset_password": "/accounts/password/reset/",
    "account_reset_password_done": "/accounts/password/reset/done/",
    "account_reset_password_from_key": "/accounts/password/reset/key/1-not-a-real-key/",
    "account_reset_password_from_key_done": "/accounts/password/reset/key/done/",
    "account_request_login_code": "/accounts/login/code/",
    "account_confirm_login_code": "/accounts/login/code/confirm/",
    "mfa_index": "/accounts/2fa/",
    "mfa_authenticate": "/accounts/2fa/authenticate/",
    "mfa_reauthenticate": "/accounts/2fa/reauthenticate/",
    "mfa_activate_totp": "/accounts/2fa/totp/activate/",
    "mfa_deactivate_totp": "/accounts/2fa/totp/deactivate/",
    "mfa_view_recovery_codes": "/accounts/2fa/recovery-codes/",
    "mfa_generate_recovery_codes": "/accounts/2fa/recovery-codes/generate/",
    "mfa_download_recovery_codes": "/accounts/2fa/recovery-codes/download/",
    "mfa_list_webauthn": "/accounts/2fa/webauthn/",
    "mfa_add_webauthn": "/accounts/2fa/webauthn/add/",
    "mfa_reauthenticate_webauthn": "/accounts/2fa/webauthn/reauthenticate/",
    "mfa_edit_webauthn": "/accounts/2fa/webauthn/keys/999999/edit/",
    "mfa_remove_webauthn": "/accounts/2fa/webauthn/keys/999999/remove/",
}
HOME = "home"  # a 302 to the home page (LOGIN_REDIRECT_URL)
REAUTH = "reauthenticate"  # a 302 to confirm the password (or code) again first
# The world's staff accounts have set up two-factor; persons, drivers and client users have not.
NO_2FA = ("person", "other_person", "driver", "client_a", "client_b")

ALLAUTH_POLICY = {
    # Pages for visitors: a signed-in user is sent home.
    "account_login": {**everyone(HOME), "anonymous": OK},
    "account_signup": {**everyone(HOME), "anonymous": OK},
    # Signing in with an emailed code (people only: accounts.adapter).
    "account_request_login_code": {**everyone(HOME), "anonymous": OK},
    "account_reset_password": everyone(OK),
    "account_reset_password_done": everyone(OK),
    "account_reset_password_from_key": everyone(OK),  # "this link is invalid"
    "account_reset_password_from_key_done": everyone(OK),
    "account_confirm_email": everyone(OK),  # "this link is invalid or expired"
    "account_email_verification_sent": everyone(OK),
    "account_inactive": everyone(OK),
    # Steps of a sign-in in progress: without one, start at the login page
    # (or, signed in already, go home).
    "account_confirm_login_code": {**everyone(HOME), "anonymous": LOGIN},
    "mfa_authenticate": {**everyone(HOME), "anonymous": LOGIN},
    # Pages of one's own account.
    "account_logout": {**everyone(OK), "anonymous": HOME},  # "are you sure?"; signing out is a POST
    "account_reauthenticate": signed_in(OK),
    "account_email": signed_in(OK),
    "account_change_password": signed_in(OK),
    "account_set_password": signed_in(302),  # everyone has a password: go to change it
    "mfa_index": signed_in(OK),
    # Two-factor changes ask for the password again first; what exists
    # depends on whether two-factor is set up (staff: an authenticator app,
    # no recovery codes yet).
    "mfa_reauthenticate": signed_in(OK, **dict.fromkeys(NO_2FA, REAUTH)),
    "mfa_activate_totp": signed_in(REAUTH),
    "mfa_deactivate_totp": signed_in(REAUTH, **dict.fromkeys(NO_2FA, NOT_FOUND)),
    "mfa_generate_recovery_codes": signed_in(REAUTH),
    "mfa_view_recovery_codes": signed_in(NOT_FOUND),
    "mfa_download_recovery_codes": signed_in(NOT_FOUND),
    "mfa_list_webauthn": signed_in(OK),
    "mfa_add_webauthn": signed_in(REAUTH),
    # Nobody in this world has a key: confirm with the password instead.
    "mfa_reauthenticate_webauthn": signed_in(REAUTH),
    # The password comes first, then the key id: any id gets the same answer.
    "mfa_edit_webauthn": signed_in(REAUTH),
    "mfa_remove_webauthn": signed_in(REAUTH),
}


def admin_routes():
    """(route, pattern) of every URL under admin/, as written in the URL configuration."""
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and str(entry.pattern) == "admin/":
            yield from _walk(entry.url_patterns, "admin/")


def _walk(patterns, prefix):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


_MODEL_ROUTE = re.compile(r"^admin/([a-z_]+/[a-z_]+)/(.*)$")


def route_key(route):
    """A route's key in the policy: ("app/model", page) or a page of ADMIN_PAGES."""
    page = route.replace("<path:object_id>", "<id>")
    if page.startswith("admin/r/"):
        return "admin/r/<ct>/<id>/"
    if page.startswith("admin/^(?P<app_label>"):
        return "admin/<app>/"
    if page.startswith("admin/(?P<url>"):
        return "admin/no-such-page/"
    match = _MODEL_ROUTE.match(page)
    if match and match.group(1) in MODELS:
        return match.group(1), match.group(2)
    return page


def test_every_third_party_url_has_a_rule():
    allauth = {name for name, _ in project_routes() if str(name).startswith(("account_", "mfa_"))}
    unknown_admin = [route for route, _ in admin_routes() if route_key(route) not in _known_admin_keys()]

    assert allauth - set(ALLAUTH_POLICY) == set(), "declare who may open these allauth pages in ALLAUTH_POLICY"
    assert set(ALLAUTH_POLICY) == set(ALLAUTH)
    assert unknown_admin == [], "a new admin page: add its model to MODELS or the page to ADMIN_PAGES"


def _known_admin_keys():
    keys = set(ADMIN_PAGES) | set(ADMIN_SESSION_PAGES)
    for model in MODELS:
        pages = {**MODEL_PAGES, **EXTRA_MODEL_PAGES.get(model, {})}
        keys |= {(model, page) for page in pages}
    return keys


def fetch_all(client, users, url):
    got = {}
    for role in ROLES:
        client.logout()
        if users[role] is not None:
            client.force_login(users[role])
        response = client.get(url)
        location = response.get("Location", "")
        if response.status_code == 302 and "/login/" in location:
            got[role] = LOGIN
        # Signed in already: sent where signing in leads (the role's landing, issue 22.12).
        elif response.status_code == 302 and location in ("/", "http://testserver/", reverse("landing")):
            got[role] = HOME
        elif response.status_code == 302 and "/reauthenticate/" in location:
            got[role] = REAUTH
        else:
            got[role] = response.status_code
    return got


@pytest.fixture
def admin_world(world):
    """world, plus one row of each model the admin lists that world lacks."""
    users, args = world
    appointment = Appointment.objects.get(pk=args["appointment"])
    CheckInLog.objects.create(user=users["clinic_staff"], site=appointment.slot.site, code="X", reason="unknown")
    TruckCondition.objects.create(truck=Truck.objects.order_by("pk").first(), status="ok", recorded_at=timezone.now())
    ApiToken.issue(user=users["person"], name="matrix", days=30)
    lot = Lot.objects.order_by("pk").first()
    excursion = Excursion.objects.order_by("pk").first()
    stock_services.receive(lot=lot, quantity=5, site=appointment.slot.site, by=users["clinic_staff"])
    Quarantine.objects.create(lot=lot, excursion=excursion)
    ColdChainAlert.objects.create(excursion=excursion)
    outbox.enqueue(kind="appointment_booked", to="pat@example.org", data={"appointment": appointment.pk, "sequence": 0})
    truck = Truck.objects.order_by("pk").first()
    insurance = DocumentType.objects.create(name="Insurance", code="matrix-insurance")
    Document.objects.create(type=insurance, truck=truck, number="P-1", expires_on=timezone.localdate())
    OdometerReading.objects.create(truck=truck, km=1000)
    plan = ServicePlan.objects.create(truck=truck, name="Oil", last_done_on=timezone.localdate(), interval_months=6)
    ServiceRecord.objects.create(truck=truck, plan=plan, done_on=timezone.localdate())
    Place.objects.create(country="ES", postcode="28001", name="Madrid", latitude=40.42, longitude=-3.70)
    samples = {label: model.objects.order_by("pk").first() for label, model in MODELS.items()}
    assert all(samples.values()), [label for label, sample in samples.items() if sample is None]
    return users, samples


def admin_url(key, samples):
    if key == "admin/r/<ct>/<id>/":
        return f"/admin/r/{ContentType.objects.get_for_model(Driver).pk}/{samples['fleet/driver'].pk}/"
    if key == "admin/<app>/":
        return "/admin/fleet/"
    if isinstance(key, str):
        return "/" + key
    model, page = key
    return f"/admin/{model}/" + page.replace("<id>", str(samples[model].pk))


@pytest.mark.parametrize("key", sorted(_known_admin_keys(), key=str), ids=str)
def test_each_role_gets_what_the_admin_policy_says(client, admin_world, key):
    users, samples = admin_world

    got = fetch_all(client, users, admin_url(key, samples))

    assert got == admin_expected(key)


@pytest.mark.parametrize("name", sorted(ALLAUTH_POLICY))
def test_each_role_gets_what_the_allauth_policy_says(client, world, name):
    users, _args = world

    got = fetch_all(client, users, ALLAUTH[name])

    assert got == ALLAUTH_POLICY[name]


def test_every_admin_change_page_of_the_person_is_closed_to_other_roles(client, world):
    """The most sensitive admin page, spelled out: nobody but a superuser sees a person's row."""
    users, _args = world
    person = users["person"]

    got = fetch_all(client, users, f"/admin/accounts/user/{person.pk}/change/")

    assert got == {**NON_ADMIN, "superuser": OK}
