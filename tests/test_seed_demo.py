import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from accounts.roles import Role, has_role


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_creates_the_demo_accounts_with_their_roles(capsys):
    call_command("seed_demo")

    # Every demo account; the demo's other people (vaccination.demo.seed_history,
    # stock's vaccinated people) have no role and never sign in.
    users = {user.email: user for user in User.objects.all()}
    assert set(users) >= {
        "admin@example.com",
        "staff@example.com",
        "fleet@example.com",
        "driver@example.com",
        "client@example.com",
        "patient@example.com",
        "lead@example.com",
    }
    assert users["admin@example.com"].is_superuser
    assert has_role(users["staff@example.com"], Role.CLINIC_STAFF)
    assert has_role(users["fleet@example.com"], Role.FLEET_MANAGER)
    assert has_role(users["driver@example.com"], Role.DRIVER)
    assert has_role(users["client@example.com"], Role.CLIENT_USER)
    assert has_role(users["lead@example.com"], Role.CAMPAIGN_LEAD)
    assert not users["patient@example.com"].role_names
    assert "patient@example.com" in capsys.readouterr().out


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_can_run_twice_without_duplicates():
    call_command("seed_demo")
    first = User.objects.count()
    call_command("seed_demo")

    assert User.objects.count() == first


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_demo_accounts_can_sign_in_straight_away(client):
    call_command("seed_demo")

    response = client.post(reverse("account_login"), {"login": "patient@example.com", "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("landing")


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_seed_demo_refuses_to_run_with_debug_off():
    with pytest.raises(CommandError, match="DJANGO_DEBUG off"):
        call_command("seed_demo")

    assert not User.objects.exists()


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_seed_demo_runs_with_debug_off_when_forced():
    call_command("seed_demo", force=True)

    assert User.objects.filter(email="admin@example.com").exists()
