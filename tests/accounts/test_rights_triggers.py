"""A removed role stops working on the very next request, whatever removed it.

The rights copied onto the user row (accounts.authz) are cleared by database
triggers, so every path counts: the admin, the related managers, bulk
querysets on the through tables and raw SQL. Each test signs the fleet
manager in twice (a browser session and an API token), makes sure the copy is
stored, takes the right away by one path, and asks again.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from tests.api.conftest import bearer

PAGE = "/fleet/drivers/"
API = "/api/v1/drivers/"


def fleet_managers():
    return Group.objects.get(name=Role.FLEET_MANAGER.value)


def view_driver():
    return Permission.objects.get(content_type__app_label="fleet", codename="view_driver")


@pytest.fixture
def signed_in(fleet_manager):
    """A browser session and an API token of the fleet manager, both let in,
    with the rights copy stored on the row."""
    page = Client()
    page.force_login(fleet_manager)
    api = bearer(fleet_manager)
    assert page.get(PAGE).status_code == 200
    assert api.get(API).status_code == 200
    assert User.objects.get(pk=fleet_manager.pk).authz is not None
    return page, api


def assert_refused(signed_in, *, page_status=403, api_status=403):
    page, api = signed_in
    assert page.get(PAGE).status_code == page_status
    assert api.get(API).status_code == api_status


def remove_by_manager(user):
    user.groups.remove(fleet_managers())


def clear_by_manager(user):
    user.groups.clear()


def set_by_manager(user):
    user.groups.set([Group.objects.get(name=Role.DRIVER.value)])


def remove_from_the_group_side(user):
    fleet_managers().user_set.remove(user)


def delete_the_group(user):
    fleet_managers().delete()


def delete_membership_rows(user):
    User.groups.through.objects.filter(user=user, group=fleet_managers()).delete()


def move_membership_rows_with_update(user):
    driver_group = Group.objects.get(name=Role.DRIVER.value)
    User.groups.through.objects.filter(user=user, group=fleet_managers()).update(group=driver_group)


def delete_membership_with_raw_sql(user):
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {User.groups.through._meta.db_table} WHERE user_id = %s",  # noqa: S608 -- our table name
            [user.pk],
        )


def remove_the_permission_from_the_group(user):
    fleet_managers().permissions.remove(view_driver())


def delete_group_permission_rows(user):
    Group.permissions.through.objects.filter(group=fleet_managers(), permission=view_driver()).delete()


def delete_group_permission_with_raw_sql(user):
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {Group.permissions.through._meta.db_table} WHERE permission_id = %s",  # noqa: S608
            [view_driver().pk],
        )


def rename_the_permission(user):
    Permission.objects.filter(pk=view_driver().pk).update(codename="view_driver_renamed")


def delete_the_permission(user):
    view_driver().delete()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "take_away",
    [
        remove_by_manager,
        clear_by_manager,
        set_by_manager,
        remove_from_the_group_side,
        delete_the_group,
        delete_membership_rows,
        move_membership_rows_with_update,
        delete_membership_with_raw_sql,
        remove_the_permission_from_the_group,
        delete_group_permission_rows,
        delete_group_permission_with_raw_sql,
        rename_the_permission,
        delete_the_permission,
    ],
)
def test_a_right_taken_away_by_any_path_is_refused_at_the_next_page_and_api_request(
    fleet_manager, signed_in, take_away
):
    take_away(fleet_manager)

    assert_refused(signed_in)


@pytest.mark.django_db
def test_a_permission_given_directly_and_deleted_in_bulk_is_refused_at_the_next_request(person):
    person.user_permissions.add(view_driver())
    page, api = Client(), bearer(person)
    page.force_login(person)
    assert page.get(PAGE).status_code == 200
    assert api.get(API).status_code == 200

    User.user_permissions.through.objects.filter(user=person).delete()

    assert_refused((page, api))


@pytest.mark.django_db
def test_a_permission_given_directly_with_bulk_create_counts_at_the_next_request(person):
    page, api = Client(), bearer(person)
    page.force_login(person)
    assert page.get(PAGE).status_code == 403
    assert User.objects.get(pk=person.pk).authz is not None

    User.user_permissions.through.objects.bulk_create(
        [User.user_permissions.through(user=person, permission=view_driver())]
    )

    assert page.get(PAGE).status_code == 200
    assert api.get(API).status_code == 200


@pytest.mark.django_db
def test_membership_rows_bulk_created_and_deleted_again_leave_no_right(person):
    page, api = Client(), bearer(person)
    page.force_login(person)
    User.groups.through.objects.bulk_create([User.groups.through(user=person, group=fleet_managers())])
    assert page.get(PAGE).status_code == 200
    assert api.get(API).status_code == 200

    User.groups.through.objects.filter(user=person).delete()

    assert_refused((page, api))


@pytest.mark.django_db
def test_a_role_removed_on_the_admin_user_page_is_refused_at_the_next_request(fleet_manager, signed_in, superuser):
    admin = Client()
    admin.force_login(superuser)

    response = admin.post(
        f"/admin/accounts/user/{fleet_manager.pk}/change/",
        {
            "email": fleet_manager.email,
            "first_name": fleet_manager.first_name,
            "last_name": fleet_manager.last_name,
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert not fleet_manager.groups.exists()
    assert_refused(signed_in)


@pytest.mark.django_db
def test_a_permission_removed_on_the_admin_group_page_is_refused_at_the_next_request(signed_in, superuser):
    admin = Client()
    admin.force_login(superuser)
    group = fleet_managers()
    kept = list(group.permissions.exclude(pk=view_driver().pk).values_list("pk", flat=True))

    response = admin.post(f"/admin/auth/group/{group.pk}/change/", {"name": group.name, "permissions": kept})

    assert response.status_code == 302, response.content.decode()[:2000]
    assert_refused(signed_in)


@pytest.mark.django_db
def test_a_user_deactivated_in_bulk_is_signed_out_and_their_token_refused(fleet_manager, signed_in):
    User.objects.filter(pk=fleet_manager.pk).update(is_active=False)

    page, api = signed_in
    response = page.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert api.get(API).status_code == 401


@pytest.mark.django_db
def test_a_user_deactivated_on_the_admin_user_page_is_refused_at_the_next_request(fleet_manager, signed_in, superuser):
    admin = Client()
    admin.force_login(superuser)

    response = admin.post(
        f"/admin/accounts/user/{fleet_manager.pk}/change/",
        {
            "email": fleet_manager.email,
            "first_name": fleet_manager.first_name,
            "last_name": fleet_manager.last_name,
            "groups": [fleet_managers().pk],
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    page, api = signed_in
    assert page.get(PAGE).status_code == 302
    assert api.get(API).status_code == 401


@pytest.mark.django_db
def test_the_two_factor_flag_follows_an_authenticator_deleted_in_bulk(clinic_staff):
    from allauth.mfa.models import Authenticator

    from accounts import authz

    Authenticator.objects.create(user=clinic_staff, type=Authenticator.Type.RECOVERY_CODES, data={})
    assert authz.mfa_enabled(User.objects.get(pk=clinic_staff.pk))

    Authenticator.objects.filter(user=clinic_staff).delete()

    assert not authz.mfa_enabled(User.objects.get(pk=clinic_staff.pk))


@pytest.mark.django_db
def test_every_rights_trigger_is_installed_after_migrating():
    from accounts import rights_triggers

    assert rights_triggers.trigger_names(connection.vendor) <= rights_triggers._installed(connection)
