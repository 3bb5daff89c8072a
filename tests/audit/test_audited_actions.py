"""Every audited action writes exactly one event with who, what, when and from where."""

from datetime import datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import Action, AuditEvent
from fleet.models import Driver, Truck
from fleet.services import assign
from tests.audit.conftest import IP
from tests.factories import PASSWORD
from tests.fleet.factories import DriverFactory, TruckFactory
from vaccination import services
from vaccination.checkin import check_in
from vaccination.models import Appointment, Site, Slot, Vaccine

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(clinic_staff):
    site = Site.objects.create(name="Central Clinic", address="1 Main Street", time_zone="UTC")
    site.staff.add(clinic_staff)
    return site


@pytest.fixture
def vaccine():
    return Vaccine.objects.create(name="Flu", doses_required=2, min_days_between_doses=21)


def make_slot(site, vaccine, start):
    return Slot.objects.create(site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=3)


@pytest.fixture
def tomorrow_slot(site, vaccine):
    return make_slot(site, vaccine, timezone.now().replace(microsecond=0) + timedelta(days=1))


def the_one(action, **expected):
    (event,) = AuditEvent.objects.filter(action=action)
    for field, value in expected.items():
        assert getattr(event, field) == value, field
    return event


def test_booking_records_the_person_their_ip_and_the_appointment(client, person, tomorrow_slot):
    client.force_login(person)

    client.post(reverse("vaccination:book"), {"slot": tomorrow_slot.pk}, REMOTE_ADDR=IP)

    appointment = Appointment.objects.get()
    event = the_one(Action.BOOK, actor=person, actor_label=person.email, ip=IP, target_id=str(appointment.pk))
    assert event.target_type == "vaccination.appointment"
    assert event.data["code"] == appointment.code
    assert event.data["site"] == "Central Clinic"


def test_cancelling_and_rescheduling_are_recorded_once_each(client, person, site, vaccine, tomorrow_slot):
    later = make_slot(site, vaccine, tomorrow_slot.start + timedelta(hours=1))
    appointment = services.book(person=person, slot=tomorrow_slot)
    client.force_login(person)

    reschedule = reverse("vaccination:appointment-reschedule", args=[appointment.pk])
    client.post(reschedule, {"slot": later.pk}, REMOTE_ADDR=IP)
    client.post(reverse("vaccination:appointment-cancel", args=[appointment.pk]), REMOTE_ADDR=IP)

    moved = the_one(Action.RESCHEDULE, actor=person, ip=IP, target_id=str(appointment.pk))
    assert moved.data["from"] == tomorrow_slot.start.isoformat()
    assert moved.data["start"] == later.start.isoformat()
    the_one(Action.CANCEL, actor=person, ip=IP, target_id=str(appointment.pk))


def test_a_refused_booking_leaves_no_event(client, person, site, vaccine):
    started = make_slot(site, vaccine, timezone.now() - timedelta(minutes=5))
    client.force_login(person)

    client.post(reverse("vaccination:book"), {"slot": started.pk}, REMOTE_ADDR=IP)

    assert not AuditEvent.objects.filter(action=Action.BOOK).exists()


def test_a_rolled_back_booking_leaves_no_event(person, tomorrow_slot):
    # The event is written on the booking's own connection and transaction:
    # when the surrounding transaction fails, both go.
    def book_then_fail():
        with transaction.atomic():
            services.book(person=person, slot=tomorrow_slot)
            assert AuditEvent.objects.filter(action=Action.BOOK).count() == 1
            raise RuntimeError("the request failed after booking")

    with pytest.raises(RuntimeError):
        book_then_fail()

    assert not Appointment.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.BOOK).exists()


@pytest.fixture
def checked_in(client, clinic_staff, person, site, vaccine):
    """The person's appointment today, checked in at the desk by the nurse from IP."""
    now = timezone.now()
    slot = make_slot(site, vaccine, now + timedelta(minutes=1))
    if slot.start.date() != now.date():  # just before midnight: keep it today
        slot = make_slot(site, vaccine, now - timedelta(minutes=1))
    appointment = Appointment.objects.create(person=person, slot=slot)
    client.force_login(clinic_staff)
    client.post(reverse("clinic:checkin"), {"code": appointment.code, "site": site.pk}, REMOTE_ADDR=IP)
    appointment.refresh_from_db()
    assert appointment.is_checked_in
    return appointment


def test_check_in_at_the_desk_is_recorded_with_the_nurse_and_the_desk_ip(checked_in, clinic_staff):
    event = the_one(Action.CHECK_IN, actor=clinic_staff, ip=IP, target_id=str(checked_in.pk))
    assert event.data == {"code": checked_in.code, "site": "Central Clinic"}


def test_a_refused_scan_is_not_an_audit_event_but_stays_in_the_desk_log(client, clinic_staff, site):
    client.force_login(clinic_staff)

    client.post(reverse("clinic:checkin"), {"code": "ZZZZZZZZ", "site": site.pk}, REMOTE_ADDR=IP)

    assert not AuditEvent.objects.filter(action=Action.CHECK_IN).exists()


def test_undo_and_dose_are_recorded(client, checked_in, clinic_staff):
    client.post(reverse("clinic:undo", args=[checked_in.pk]), {"note": "Wrong person"}, REMOTE_ADDR=IP)
    check_in(code=checked_in.code, desk_user=clinic_staff, site=checked_in.slot.site)
    client.post(reverse("clinic:record-dose", args=[checked_in.pk]), {"vaccine_lot": "FK1234"}, REMOTE_ADDR=IP)

    undo = the_one(Action.UNDO_CHECK_IN, actor=clinic_staff, ip=IP, target_id=str(checked_in.pk))
    assert undo.data["note"] == "Wrong person"
    dose = the_one(Action.RECORD_DOSE, actor=clinic_staff, ip=IP, target_id=str(checked_in.pk))
    assert dose.data["lot"] == "FK1234"
    assert AuditEvent.objects.filter(action=Action.CHECK_IN).count() == 2


def test_a_refused_dose_record_leaves_no_event(client, clinic_staff, person, tomorrow_slot, site):
    appointment = Appointment.objects.create(person=person, slot=tomorrow_slot)
    client.force_login(clinic_staff)

    client.post(reverse("clinic:record-dose", args=[appointment.pk]), {"vaccine_lot": "FK1"}, REMOTE_ADDR=IP)

    assert not AuditEvent.objects.filter(action=Action.RECORD_DOSE).exists()


def test_assigning_and_releasing_a_truck_are_recorded(client, fleet_manager):
    driver, truck = DriverFactory(), TruckFactory(code="TRK-0042")
    client.force_login(fleet_manager)

    client.post(reverse("fleet:driver-assign", args=[driver.pk]), {"truck": truck.pk}, REMOTE_ADDR=IP)
    client.post(reverse("fleet:driver-release", args=[driver.pk]), REMOTE_ADDR=IP)

    assigned = the_one(Action.ASSIGN_TRUCK, actor=fleet_manager, ip=IP, target_id=str(driver.pk))
    assert assigned.data == {"truck": "TRK-0042", "ended": []}
    assert assigned.target_label == str(driver)
    released = the_one(Action.RELEASE_TRUCK, actor=fleet_manager, ip=IP, target_id=str(driver.pk))
    assert released.data == {"truck": "TRK-0042"}


def test_a_refused_assignment_leaves_no_event(fleet_manager):
    driver, truck = DriverFactory(is_active=False), TruckFactory()

    with pytest.raises(Exception, match="driver_inactive"):
        assign(driver=driver, truck=truck, by=fleet_manager)

    assert not AuditEvent.objects.filter(action=Action.ASSIGN_TRUCK).exists()


DRIVER = {
    "first_name": "Nadia",
    "last_name": "Novak",
    "licence_number": "B-123 456",
    "licence_expiry": "2030-05-01",
    "phone": "+34 600 111 222",
    "email": "nadia@example.org",
    "date_of_birth": "",
    "address": "",
    "client": "",
    "is_active": "on",
    "login_email": "",
}
TRUCK = {"code": "TRK-0007", "plate": "1234 XYZ", "make": "Iveco", "model": "Daily", "year": "2022", "status": "active"}


def test_creating_and_editing_drivers_and_trucks_records_the_changed_field_names(client, fleet_manager):
    client.force_login(fleet_manager)

    client.post(reverse("fleet:driver-create"), DRIVER, REMOTE_ADDR=IP)
    driver = Driver.objects.get()
    client.post(reverse("fleet:driver-edit", args=[driver.pk]), {**DRIVER, "phone": "+34 600 999 999"}, REMOTE_ADDR=IP)
    client.post(reverse("fleet:truck-create"), TRUCK, REMOTE_ADDR=IP)
    truck = Truck.objects.get()
    client.post(reverse("fleet:truck-edit", args=[truck.pk]), {**TRUCK, "make": "Renault"}, REMOTE_ADDR=IP)

    the_one(Action.DRIVER_CREATE, actor=fleet_manager, ip=IP, target_id=str(driver.pk))
    changed = the_one(Action.DRIVER_UPDATE, actor=fleet_manager, ip=IP, target_id=str(driver.pk))
    assert changed.data == {"fields": ["phone"]}  # the names, not the personal values
    the_one(Action.TRUCK_CREATE, actor=fleet_manager, ip=IP, target_label=str(truck))
    assert the_one(Action.TRUCK_UPDATE, actor=fleet_manager, ip=IP).data == {"fields": ["make"]}


def test_saving_a_driver_unchanged_records_nothing(client, fleet_manager):
    driver = DriverFactory()
    client.force_login(fleet_manager)
    data = {
        **DRIVER,
        "first_name": driver.first_name,
        "last_name": driver.last_name,
        "licence_number": driver.licence_number,
        "licence_expiry": driver.licence_expiry.isoformat(),
        "phone": driver.phone,
        "email": driver.email,
        "address": driver.address,
    }

    client.post(reverse("fleet:driver-edit", args=[driver.pk]), data)

    assert not AuditEvent.objects.filter(action=Action.DRIVER_UPDATE).exists()


def test_the_fleet_import_records_each_row_without_actor_or_ip(tmp_path):
    trucks = tmp_path / "trucks.csv"
    trucks.write_text("code,plate,make,model,year\nTRK-0100,1000 AAA,Iveco,Daily,2021\n")

    call_command("import_fleet", str(trucks), stdout=StringIO())

    event = the_one(Action.TRUCK_CREATE, actor=None, ip=None)
    assert event.data == {"source": "import_fleet"}


def test_a_sign_in_is_recorded_with_the_ip(client, person):
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD}, REMOTE_ADDR=IP)

    the_one(Action.LOGIN, actor=person, ip=IP, target_id=str(person.pk))


def test_a_failed_sign_in_records_the_address_tried_but_never_the_password(client, person):
    client.post(reverse("account_login"), {"login": "PAT@example.org", "password": "hunter2-secret"}, REMOTE_ADDR=IP)

    event = the_one(Action.LOGIN_FAILED, actor=None, ip=IP)
    assert event.data == {"email": "pat@example.org"}
    stored = str(AuditEvent.objects.filter(pk=event.pk).values().get())
    assert "hunter2" not in stored


def test_behind_one_proxy_the_client_address_is_the_forwarded_one(client, person, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1

    client.post(
        reverse("account_login"),
        {"login": person.email, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=f"{IP}",
    )

    the_one(Action.LOGIN, ip=IP)


def test_role_changes_name_the_groups_added_and_removed_and_who_did_it(client, superuser, person):
    staff = Group.objects.get(name=Role.CLINIC_STAFF)
    driver = Group.objects.get(name=Role.DRIVER)

    person.groups.add(staff, driver)
    person.groups.remove(driver)
    person.groups.clear()
    driver.user_set.add(person)

    changes = [e.data for e in AuditEvent.objects.filter(action=Action.ROLES_CHANGED).order_by("pk")]
    assert changes == [
        {"added": ["Clinic staff", "Driver"]},
        {"removed": ["Driver"]},
        {"removed": ["Clinic staff"]},
        {"added": ["Driver"]},
    ]
    assert {e.target_id for e in AuditEvent.objects.filter(action=Action.ROLES_CHANGED)} == {str(person.pk)}


def test_a_role_change_in_the_admin_names_the_admin_as_actor(client, superuser, person):
    client.force_login(superuser)
    staff = Group.objects.get(name=Role.CLINIC_STAFF)
    form = {
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "phone": "",
        "is_active": "on",
        "groups": [staff.pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }

    with time_machine.travel(datetime(2026, 11, 1, 12, 0, tzinfo=timezone.get_current_timezone()), tick=False):
        response = client.post(reverse("admin:accounts_user_change", args=[person.pk]), form, REMOTE_ADDR=IP)

    assert response.status_code == 302, response.content.decode()[:2000]
    the_one(Action.ROLES_CHANGED, actor=superuser, ip=IP, target_id=str(person.pk), data={"added": ["Clinic staff"]})


def test_a_truck_added_and_changed_in_the_admin_is_recorded(client, superuser):
    client.force_login(superuser)

    client.post(reverse("admin:fleet_truck_add"), TRUCK, REMOTE_ADDR=IP)
    truck = Truck.objects.get()
    client.post(reverse("admin:fleet_truck_change", args=[truck.pk]), {**TRUCK, "plate": "9999 XYZ"}, REMOTE_ADDR=IP)

    created = the_one(Action.TRUCK_CREATE, actor=superuser, ip=IP, target_id=str(truck.pk))
    assert created.data["source"] == "admin"
    assert the_one(Action.TRUCK_UPDATE, actor=superuser, ip=IP).data == {"fields": ["plate"], "source": "admin"}
