"""The roles and permissions read with the user row (accounts.authz) follow
every change to the groups and permission tables."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import authz
from accounts.models import User
from accounts.roles import Role, has_role


def fresh(user):
    """The user as the next request loads it."""
    return User.objects.get(pk=user.pk)


def role(name):
    return Group.objects.get(name=name.value)


@pytest.mark.django_db
def test_a_signed_in_page_reads_roles_and_permissions_without_querying_them_again(clinic_staff):
    authz.load(fresh(clinic_staff))  # the first request after a change stores the copy

    user = fresh(clinic_staff)
    with CaptureQueriesContext(connection) as queries:
        roles = user.role_names
        may_view = user.has_perm("fleet.view_driver")

    assert roles == {Role.CLINIC_STAFF.value}
    assert may_view
    assert len(queries) == 0


@pytest.mark.django_db
def test_joining_a_group_gives_the_role_at_the_next_request(person):
    assert not has_role(fresh(person), Role.DRIVER)

    person.groups.add(role(Role.DRIVER))

    assert has_role(fresh(person), Role.DRIVER)


@pytest.mark.django_db
def test_leaving_a_group_takes_the_role_and_its_permissions_away(fleet_manager):
    assert fresh(fleet_manager).has_perm("fleet.change_driver")

    fleet_manager.groups.remove(role(Role.FLEET_MANAGER))

    user = fresh(fleet_manager)
    assert not has_role(user, Role.FLEET_MANAGER)
    assert not user.has_perm("fleet.change_driver")


@pytest.mark.django_db
def test_clearing_a_group_from_its_side_takes_the_role_from_its_members(clinic_staff):
    assert has_role(fresh(clinic_staff), Role.CLINIC_STAFF)

    role(Role.CLINIC_STAFF).user_set.clear()

    assert not has_role(fresh(clinic_staff), Role.CLINIC_STAFF)


@pytest.mark.django_db
def test_a_permission_granted_to_a_group_reaches_its_members(clinic_staff):
    assert not fresh(clinic_staff).has_perm("accounts.view_user")

    role(Role.CLINIC_STAFF).permissions.add(Permission.objects.get(codename="view_user"))

    assert fresh(clinic_staff).has_perm("accounts.view_user")


@pytest.mark.django_db
def test_a_permission_given_to_the_user_directly_counts(person):
    assert not fresh(person).has_perm("fleet.view_truck")

    person.user_permissions.add(Permission.objects.get(codename="view_truck"))

    user = fresh(person)
    assert user.has_perm("fleet.view_truck")
    assert user.get_user_permissions() == {"fleet.view_truck"}


@pytest.mark.django_db
def test_a_renamed_group_is_no_longer_the_role(driver):
    assert has_role(fresh(driver), Role.DRIVER)

    group = role(Role.DRIVER)
    group.name = "Former drivers"
    group.save()

    assert not has_role(fresh(driver), Role.DRIVER)


@pytest.mark.django_db
def test_saving_a_user_loaded_before_a_role_change_does_not_bring_the_old_role_back(clinic_staff):
    loaded_earlier = fresh(clinic_staff)
    assert has_role(loaded_earlier, Role.CLINIC_STAFF)

    clinic_staff.groups.clear()
    loaded_earlier.first_name = "Renamed"
    loaded_earlier.save()

    assert not has_role(fresh(clinic_staff), Role.CLINIC_STAFF)
    assert fresh(clinic_staff).first_name == "Renamed"


@pytest.mark.django_db
def test_rights_computed_before_a_change_are_not_stored_over_it(clinic_staff, monkeypatch):
    compute = authz.compute

    def compute_then_the_role_is_taken_away(user):
        rights = compute(user)
        clinic_staff.groups.clear()  # commits between this request's reading and its writing
        return rights

    monkeypatch.setattr(authz, "compute", compute_then_the_role_is_taken_away)
    assert has_role(fresh(clinic_staff), Role.CLINIC_STAFF)  # this request still saw the role
    monkeypatch.undo()

    assert not has_role(fresh(clinic_staff), Role.CLINIC_STAFF)


@pytest.mark.django_db
def test_a_superuser_holds_every_permission(superuser):
    assert fresh(superuser).has_perm("fleet.delete_truck")
