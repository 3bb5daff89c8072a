"""Issue 18 in a real browser: the check-in desk keeps working with no
network, answers from the day's roster it keeps on the device, and syncs
later with the same one-success guarantee."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from tests.browser.conftest import PHONE, assert_accessible, settle_accessibility, watch_accessibility
from tests.browser.helpers import wait_until
from tests.browser.test_checkin_journey import daytime_zone, sign_in
from tests.factories import UserFactory
from vaccination.models import Appointment, CheckInLog, Site, Slot, Vaccine

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

READY = "document.documentElement.dataset.deskReady === '1'"
CONTROLLED = "navigator.serviceWorker.controller !== null"
SERVICE_WORKER_ACTIVE = """Promise.race([
  navigator.serviceWorker.ready.then(() => true),
  new Promise((resolve) => setTimeout(() => resolve(false), 30000)),
])"""
HAS_ROSTER = "document.getElementById('desk-roster-age').dataset.fetched !== undefined"


@pytest.fixture
def clinic():
    site = Site.objects.create(name="Mobile Clinic Lakeside", address="Lakeside car park", time_zone=daytime_zone())
    vaccine = Vaccine.objects.create(name="Comirnaty (COVID-19)", doses_required=2)
    now = timezone.now().replace(second=0, microsecond=0)
    # Within today at the clinic whatever the hour there: an hour from now is
    # today in a daytime zone.
    today = Slot.objects.create(
        site=site, vaccine=vaccine, start=now + timedelta(hours=1), end=now + timedelta(hours=1, minutes=15), capacity=5
    )
    later = Slot.objects.create(
        site=site, vaccine=vaccine, start=now + timedelta(days=3), end=now + timedelta(days=3, minutes=15), capacity=5
    )
    rosa = UserFactory(first_name="Rosa", last_name="Ramos")
    rosa.date_of_birth = "1948-05-02"
    rosa.save()
    return {
        "site": site,
        "today": Appointment.objects.create(person=rosa, slot=today),
        "other_day": Appointment.objects.create(person=UserFactory(first_name="Otto", last_name="Later"), slot=later),
    }


def nurse(email, first_name, site):
    user = UserFactory(email=email, first_name=first_name, last_name="Nurse", roles=[Role.CLINIC_STAFF])
    site.staff.add(user)
    return user


def open_desk(tab, user, site, *, online="Online"):
    """Sign in and open the desk online until its service worker controls it
    and the roster is on the device."""
    sign_in(tab, user.email)
    tab.goto(f"/clinic/checkin/?site={site.pk}")
    wait_until(tab, READY)
    # The first visit installs the service worker; it takes the page over
    # once active (clients.claim). Signing in lands staff on the desk, so the
    # install may have begun on the page before; on a busy machine it can
    # take a while: wait for it to be active, then reload if the page is
    # still not controlled, as a nurse would.
    tab.evaluate(SERVICE_WORKER_ACTIVE)
    if not tab.evaluate(CONTROLLED):
        tab.reload()
        wait_until(tab, READY)
    wait_until(tab, CONTROLLED)
    wait_until(tab, HAS_ROSTER)
    tab.get_by_text(online, exact=True).wait_for()


def scan(tab, code):
    field = tab.locator("#desk-form input[name=code]")
    field.fill(code)
    field.press("Enter")


def go_offline(context):
    context.set_offline(True)


def go_online(context):
    context.set_offline(False)


def test_the_desk_answers_offline_from_the_roster_survives_a_reload_and_syncs_one_check_in(page, screenshot, clinic):
    site, today, other_day = clinic["site"], clinic["today"], clinic["other_day"]
    nora = nurse("nora@example.org", "Nora", site)
    page.set_viewport_size(PHONE)
    open_desk(page, nora, site)
    assert_accessible(page)

    go_offline(page.context)
    page.get_by_text("Offline", exact=True).wait_for()
    assert_accessible(page)

    # A valid code: green, provisional, marked offline.
    scan(page, today.code.lower())
    green = page.get_by_role("status").filter(has_text="Checked in")
    green.wait_for()
    text = green.inner_text()
    assert "Offline — will sync" in text
    for fact in ("Rosa Ramos", "2 May 1948", "Comirnaty (COVID-19), dose 1"):
        assert fact in text
    assert_accessible(page)
    screenshot(page, "checkin-offline-green-phone")

    # An unknown code and another day's: red, with the server's words.
    scan(page, "ZZZZ-ZZZZ")
    red = page.get_by_role("alert").filter(has_text="Unknown code")
    red.wait_for()
    assert "Offline — will sync" in red.inner_text()
    assert_accessible(page)
    scan(page, other_day.code)
    not_today = page.get_by_role("alert").filter(has_text="Not today")
    not_today.wait_for()
    assert re.search(r"Booked for \w+ \d+ \w+ \d\d:\d\d\.", not_today.inner_text())
    page.get_by_text("Waiting to sync: 3").wait_for()
    assert_accessible(page)
    screenshot(page, "checkin-offline-red-phone")

    # The same valid code again on this device: not a second check-in.
    scan(page, today.code)
    page.get_by_role("alert").filter(has_text="Already scanned here").wait_for()
    page.get_by_text("Waiting to sync: 3").wait_for()

    # Reloading offline: the browser warns (scans wait), then the desk comes
    # back from the device: the copy, without a scan the server has since.
    since = CheckInLog.objects.create(user=nora, site=site, typed="SEEN-ONLINE", code="SEENONLINE", reason="unknown")
    warned = []
    page.once("dialog", lambda dialog: (warned.append(dialog.type), dialog.accept()))
    response = page.reload()
    assert warned == ["beforeunload"]
    assert response is None or response.from_service_worker
    wait_until(page, READY)
    page.get_by_role("heading", name="Check-in desk").wait_for()
    page.get_by_text("Waiting to sync: 3").wait_for()
    page.get_by_text("Offline", exact=True).wait_for()
    assert "SEEN-ONLINE" not in page.content()
    since.delete()
    assert not Appointment.objects.filter(status=Appointment.Status.CHECKED_IN).exists()

    # Back online: the queue goes by itself, in order; one check-in, at the time scanned.
    go_online(page.context)
    page.get_by_text("All scans synced.").wait_for()
    page.get_by_text("Waiting to sync: 0").wait_for()
    assert_accessible(page)
    checked_in = Appointment.objects.filter(status=Appointment.Status.CHECKED_IN)
    assert list(checked_in) == [today]
    assert checked_in.get().checked_in_by == nora
    assert list(CheckInLog.objects.order_by("at", "pk").values_list("reason", flat=True)) == [
        "checked_in",
        "unknown",
        "wrong_day",
    ]
    # Nothing changed when synced: no list of conflicts.
    assert page.locator("#desk-conflicts").is_hidden()
    assert page.console_errors == []


def test_two_desks_offline_scanning_one_code_sync_to_one_success_and_one_conflict_shown(
    page, browser, live_server, screenshot, clinic
):
    site, first = clinic["site"], clinic["today"]
    second = Appointment.objects.create(person=UserFactory(first_name="Sara", last_name="Second"), slot=first.slot)
    nora = nurse("nora@example.org", "Nora", site)
    olga = nurse("olga@example.org", "Olga", site)
    olga.language = "es"  # her desk speaks Spanish
    olga.save()
    other_context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    other_report = watch_accessibility(other_context)
    other = other_context.new_page()
    other.set_default_timeout(10_000)
    errors = []
    other.on("console", lambda message: message.type == "error" and errors.append(message.text))
    other.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size(PHONE)
    try:
        open_desk(page, nora, site)
        open_desk(other, olga, site, online="En línea")

        # Both desks offline scan Rosa; Nora's desk syncs first and wins.
        go_offline(page.context)
        go_offline(other_context)
        scan(page, first.code)
        page.get_by_role("status").filter(has_text="Checked in").wait_for()
        scan(other, first.code)
        other.get_by_role("status").filter(has_text="Llegada registrada").wait_for()
        assert "Sin conexión — se sincronizará" in other.locator(".desk-result").inner_text()
        assert_accessible(other)
        screenshot(other, "checkin-offline-green-phone-es")
        go_online(page.context)
        page.get_by_text("All scans synced.").wait_for()
        page.locator(".desk-result-ok .desk-offline-mark").filter(has_text="Synced").wait_for()
        assert page.locator(".desk-provisional").count() == 0
        go_online(other_context)
        conflicts = other.get_by_role("region", name="Escaneos que cambiaron al sincronizar")
        conflicts.wait_for()
        text = conflicts.inner_text()
        assert "Llegada ya registrada" in text
        assert re.search(r"A las \d\d:\d\d, por Nora Nurse\.", text)
        # Her provisional green is gone: the list says what counts.
        assert other.locator(".desk-result").count() == 0
        assert_accessible(other)
        screenshot(other, "checkin-offline-conflict-phone-es")
        assert Appointment.objects.get(pk=first.pk).checked_in_by == nora
        assert Appointment.objects.filter(status=Appointment.Status.CHECKED_IN).count() == 1

        # Then Sara: this time Olga's desk syncs first, and Nora's shows the conflict.
        go_offline(page.context)
        go_offline(other_context)
        scan(other, second.code)
        other.get_by_role("status").filter(has_text="Llegada registrada").wait_for()
        scan(page, second.code)
        page.get_by_role("status").filter(has_text="Checked in").wait_for()
        go_online(other_context)
        other.get_by_text("Pendientes de sincronizar: 0").wait_for()
        go_online(page.context)
        conflicts = page.get_by_role("region", name="Scans that changed when synced")
        conflicts.wait_for()
        text = conflicts.inner_text()
        assert "Already checked in" in text
        assert re.search(r"At \d\d:\d\d by Olga Nurse\.", text)
        assert "Sara Second" in text
        assert_accessible(page)
        screenshot(page, "checkin-offline-conflict-phone")
        assert Appointment.objects.get(pk=second.pk).checked_in_by == olga
        assert Appointment.objects.filter(status=Appointment.Status.CHECKED_IN).count() == 2

        # The list goes when the nurse has read it.
        page.get_by_role("button", name="Clear this list").click()
        conflicts.wait_for(state="hidden")
        assert_accessible(page)
        settle_accessibility(other)
    finally:
        other_context.close()
    failing = [(url, found) for url, found in other_report if found]
    assert not failing, failing
    assert not errors
    assert page.console_errors == []


OLD_SCAN = """async ([scope, code]) => {
  const base = await new Promise((resolve, reject) => {
    const request = indexedDB.open("vaxfleet-desk", 1);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const stores = ["rosters", "queue"];
  const transaction = base.transaction(stores, "readwrite");
  transaction.objectStore("rosters").delete(scope);
  transaction.objectStore("queue").put({
    attempt: "0123456789abcdef0123456789abcdef", scope, code, normalized: code, name: "",
    scanned_at: new Date(Date.now() - 30 * 3600 * 1000).toISOString(), offline: "unknown", sequence: 1,
  });
  await new Promise((resolve) => { transaction.oncomplete = resolve; });
  base.close();
}"""


def test_a_desk_without_its_roster_keeps_the_code_and_a_scan_too_old_to_sync_is_listed_not_synced(
    page, screenshot, clinic
):
    site, today = clinic["site"], clinic["today"]
    nora = nurse("nora@example.org", "Nora", site)
    page.set_viewport_size(PHONE)
    open_desk(page, nora, site)
    # The roster gone (as the next morning) and a scan from yesterday still queued.
    page.evaluate(OLD_SCAN, [f"{nora.pk}:{site.pk}", "ZZZZZZZZ"])
    go_offline(page.context)
    page.once("dialog", lambda dialog: dialog.accept())
    page.reload()
    wait_until(page, READY)
    page.get_by_text("No roster on this device yet").wait_for()
    page.get_by_text("Waiting to sync: 1").wait_for()

    scan(page, today.code)
    pending = page.get_by_role("alert").filter(has_text="Not checked yet")
    pending.wait_for()
    assert "will be checked when the network returns" in pending.inner_text()
    assert_accessible(page)
    screenshot(page, "checkin-offline-no-roster-phone")

    go_online(page.context)
    conflicts = page.get_by_role("region", name="Scans that changed when synced")
    conflicts.get_by_text("Now: Checked in.").wait_for()
    text = conflicts.inner_text()
    assert "Not synced" in text
    assert "more than 24 hours ago" in text
    page.get_by_text("Waiting to sync: 0").wait_for()
    assert_accessible(page)
    assert Appointment.objects.filter(status=Appointment.Status.CHECKED_IN).count() == 1
    assert not CheckInLog.objects.filter(code="ZZZZZZZZ").exists()
    assert page.console_errors == []


def test_a_sync_the_server_does_not_answer_keeps_the_scans_and_sync_now_sends_them_later(page, clinic):
    site, today = clinic["site"], clinic["today"]
    nora = nurse("nora@example.org", "Nora", site)
    open_desk(page, nora, site)
    go_offline(page.context)
    scan(page, today.code)
    page.get_by_role("status").filter(has_text="Checked in").wait_for()

    # The network is back but the server does not answer the sync.
    page.route("**/api/v1/checkins/sync/**", lambda route: route.abort())
    go_online(page.context)
    page.get_by_text("Could not sync: the server did not answer. The scans stay on this device.").wait_for()
    page.get_by_text("Waiting to sync: 1").wait_for()
    assert_accessible(page)
    assert not Appointment.objects.filter(status=Appointment.Status.CHECKED_IN).exists()

    page.unroute("**/api/v1/checkins/sync/**")
    page.get_by_role("button", name="Sync now").click()
    page.get_by_text("All scans synced.").wait_for()
    page.get_by_text("Waiting to sync: 0").wait_for()
    assert Appointment.objects.get(pk=today.pk).checked_in_by == nora
    # A failed request is not a page error; nothing else went wrong.
    assert [text for text in page.console_errors if "checkins/sync" not in text and "ERR_FAILED" not in text] == []
