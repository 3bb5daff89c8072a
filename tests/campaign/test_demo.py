import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from accounts.models import User


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_the_demo_gives_the_overview_doses_no_shows_and_both_fill_flags(client):
    call_command("seed_demo")
    client.force_login(User.objects.get(email="lead@example.com"))

    response = client.get(reverse("campaign:overview"))

    figures = response.context["figures"]
    assert figures.totals["doses"] > 100
    assert figures.totals["first_doses"]
    assert figures.totals["later_doses"]
    assert figures.totals["no_shows"]
    assert figures.totals["cancelled"]
    assert figures.low_fill
    assert figures.high_fill
