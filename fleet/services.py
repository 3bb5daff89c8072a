"""Assigning and releasing trucks: the workflows that touch several rows.

Both lock the driver and truck rows they change (always driver first, then
truck, so two managers never deadlock), re-check the current assignments
under the lock, and write. The partial unique constraints on Assignment are
the final word: if a write slips past the checks, it fails rather than
creating a second current assignment.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

import audit
from accounts.models import normalize_email, same_email
from accounts.roles import Role
from audit.models import Action
from fleet.models import Assignment, Driver, LicenceStatus, Truck, TruckStatus

User = get_user_model()


class FleetError(Exception):
    """A refused fleet action. `code` is stable; views turn it into words."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details


def check_assignable(*, driver: Driver, truck: Truck) -> None:
    """Refuse a pair that may never be assigned, whoever drives what now:
    an inactive driver, an expired licence, a truck out of service. assign()
    checks it under its locks; a form may call it first for a friendly message.

    Error codes: "driver_inactive", "licence_expired" (details: expiry),
    "truck_not_active" (details: status).
    """
    if not driver.is_active:
        raise FleetError("driver_inactive")
    if driver.licence_status() == LicenceStatus.EXPIRED:
        raise FleetError("licence_expired", expiry=date_format(driver.licence_expiry, "SHORT_DATE_FORMAT"))
    if truck.status != TruckStatus.ACTIVE:
        raise FleetError("truck_not_active", status=truck.get_status_display())


def assign(*, driver: Driver, truck: Truck, by=None, reassign: bool = False) -> Assignment:
    """Make `truck` the current truck of `driver`, recorded in the history.

    Without `reassign`, refuses when either already has a current assignment.
    With `reassign`, ends those assignments (at the same instant) and opens the
    new one, all in one transaction.

    Error codes: "driver_inactive", "licence_expired" (details: expiry),
    "truck_not_active", "already_assigned"
    (this very pair is current), "driver_has_truck" (details: truck),
    "truck_taken" (details: driver), "conflict" (a concurrent change won).
    """
    try:
        with transaction.atomic():
            driver = Driver.objects.select_for_update().get(pk=driver.pk)
            truck = Truck.objects.select_for_update().get(pk=truck.pk)
            check_assignable(driver=driver, truck=truck)
            current = list(
                Assignment.objects.select_related("driver", "truck").filter(
                    Q(driver=driver) | Q(truck=truck), until__isnull=True
                )
            )
            for assignment in current:
                if assignment.driver_id == driver.pk and assignment.truck_id == truck.pk:
                    raise FleetError("already_assigned")
            if current and not reassign:
                for assignment in current:
                    if assignment.driver_id == driver.pk:
                        raise FleetError("driver_has_truck", truck=assignment.truck)
                    raise FleetError("truck_taken", driver=assignment.driver)
            now = timezone.now()
            for assignment in current:
                assignment.until = now
                assignment.ended_by = by
                assignment.save(update_fields=["until", "ended_by"])
            new = Assignment.objects.create(driver=driver, truck=truck, since=now, assigned_by=by)
            audit.record(
                Action.ASSIGN_TRUCK,
                target=driver,
                actor=by,
                data={"truck": truck.code, "ended": [f"{a.driver} / {a.truck.code}" for a in current]},
            )
            return new
    except IntegrityError as error:
        raise FleetError("conflict") from error


def release(*, driver: Driver, by=None) -> Assignment:
    """End the driver's current assignment now; the truck becomes free.

    Error codes: "not_assigned" (the driver has no current truck).
    """
    with transaction.atomic():
        driver = Driver.objects.select_for_update().get(pk=driver.pk)
        assignment = (
            Assignment.objects.select_for_update()
            .select_related("truck")
            .filter(driver=driver, until__isnull=True)
            .first()
        )
        if assignment is None:
            raise FleetError("not_assigned")
        assignment.until = timezone.now()
        assignment.ended_by = by
        assignment.save(update_fields=["until", "ended_by"])
        audit.record(Action.RELEASE_TRUCK, target=driver, actor=by, data={"truck": assignment.truck.code})
        return assignment


def release_out_of_service(*, driver: Driver | None = None, truck: Truck | None = None, by=None) -> Assignment | None:
    """An inactive driver or a retired truck keeps no assignment: end the
    current assignment of `driver` if they are inactive, of `truck` if it is
    retired. A truck in maintenance keeps its driver, who gets it back.

    Every path that saves a driver or a truck calls this after saving (pages,
    API, admin, import_fleet), in the same transaction. Returns the ended
    assignment, or None when there was nothing to end.
    """
    with transaction.atomic():
        if driver is not None and not Driver.objects.filter(pk=driver.pk, is_active=True).exists():
            holder = driver
        elif truck is not None and Truck.objects.filter(pk=truck.pk, status=TruckStatus.RETIRED).exists():
            holder = Driver.objects.filter(assignments__truck=truck, assignments__until__isnull=True).first()
        else:
            return None
        if holder is None:
            return None
        try:
            return release(driver=holder, by=by)
        except FleetError:  # nothing current: nothing to end
            return None


def link_login(*, driver: Driver, email: str) -> Driver:
    """Make `email` the address `driver` signs in with.

    The account that uses it (now, or when someone confirms it later: see
    fleet.signals) is linked to the driver and gets the Driver role; an
    account linked before loses the role; an empty `email` unlinks. Nothing
    here tells the caller whether an account uses the address, so no page or
    API answer built on it can reveal that. Returns the driver, updated.
    """
    email = normalize_email(email)
    with transaction.atomic():
        locked = Driver.objects.select_for_update().get(pk=driver.pk)
        previous = locked.user
        account = User.objects.filter(same_email(email), is_active=True).first() if email else None
        if account is not None:
            # It may have been another driver's, under an address the account no longer uses.
            Driver.objects.filter(user=account).exclude(pk=locked.pk).update(user=None)
        Driver.objects.filter(pk=locked.pk).update(login_email=email, user=account)
        role = Group.objects.get(name=Role.DRIVER.value)
        if previous is not None and previous != account:
            previous.groups.remove(role)
        if account is not None:
            account.groups.add(role)
    driver.login_email, driver.user = email, account
    return driver


def link_waiting_drivers(*, user) -> None:
    """`user` has just confirmed their address: link the driver waiting for it."""
    for driver in Driver.objects.filter(login_email=normalize_email(user.email)).exclude(user=user):
        link_login(driver=driver, email=driver.login_email)
