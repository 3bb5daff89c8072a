import pytest
from django.contrib.auth.models import Group
from django.http import HttpResponse
from django.urls import path, reverse

from accounts.roles import Role, has_role, permission_required, role_required
from project.urls import urlpatterns as project_urlpatterns


@role_required(Role.CLINIC_STAFF)
def staff_only(request):
    return HttpResponse("desk")


@permission_required("accounts.view_user")
def needs_view_user(request):
    return HttpResponse("users")


urlpatterns = [
    path("staff-only/", staff_only, name="staff-only"),
    path("needs-view-user/", needs_view_user, name="needs-view-user"),
    *project_urlpatterns,
]


@pytest.mark.django_db
def test_the_migration_creates_one_group_per_role():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


@pytest.mark.django_db
def test_the_migration_lets_fleet_managers_look_up_accounts_and_nobody_else():
    holders = Group.objects.filter(permissions__codename="view_user").values_list("name", flat=True)

    assert list(holders) == [Role.FLEET_MANAGER.value]


@pytest.mark.django_db
def test_has_role_follows_group_membership(person, clinic_staff, superuser):
    assert has_role(clinic_staff, Role.CLINIC_STAFF)
    assert not has_role(clinic_staff, Role.FLEET_MANAGER)
    assert not has_role(person, Role.CLINIC_STAFF)
    assert has_role(superuser, Role.CLINIC_STAFF)


@pytest.mark.django_db
def test_an_inactive_user_holds_no_role(clinic_staff):
    clinic_staff.is_active = False

    assert not has_role(clinic_staff, Role.CLINIC_STAFF)


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_role_required_sends_an_anonymous_visitor_to_login(client):
    response = client.get("/staff-only/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/staff-only/"


@pytest.mark.urls(__name__)
@pytest.mark.django_db
@pytest.mark.parametrize("user_fixture", ["person", "fleet_manager", "driver", "client_user"])
def test_role_required_refuses_every_other_role_with_403(client, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))

    assert client.get("/staff-only/").status_code == 403


@pytest.mark.urls(__name__)
@pytest.mark.django_db
@pytest.mark.parametrize("user_fixture", ["clinic_staff", "superuser"])
def test_role_required_lets_the_role_and_superusers_in(client, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))

    response = client.get("/staff-only/")

    assert response.status_code == 200
    assert response.content == b"desk"


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_permission_required_checks_the_permission_granted_through_the_role(client, fleet_manager, clinic_staff):
    assert client.get("/needs-view-user/").status_code == 302

    client.force_login(clinic_staff)
    assert client.get("/needs-view-user/").status_code == 403

    client.force_login(fleet_manager)
    assert client.get("/needs-view-user/").status_code == 200
