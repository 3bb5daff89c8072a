"""The public pages in plain words: no time-zone jargon, and a footer that
leads to privacy, the accessibility statement and help."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from vaccination import services
from vaccination.models import Site, Slot, Vaccine

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(person):
    site = Site.objects.create(name="Central", address="1 Main Street", time_zone="Europe/Madrid")
    vaccine = Vaccine.objects.create(name="Flu")
    start = timezone.now() + timedelta(days=2)
    slot = Slot.objects.create(site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=3)
    return services.book(person=person, slot=slot)


def test_the_public_booking_pages_say_no_utc_and_name_no_time_zone(client, person, booked):
    client.force_login(person)
    pages = [
        reverse("vaccination:book-check") + f"?slot={booked.slot_id}",
        reverse("vaccination:appointment-list"),
        reverse("vaccination:appointment-detail", args=[booked.pk]),
        reverse("vaccination:appointment-booked", args=[booked.pk]),
    ]
    services.cancel(appointment=booked, by=person)  # so the check page shows the time again
    for url in pages:
        page = client.get(url, follow=True).content.decode()
        assert "UTC" not in page, url
        assert "Europe/Madrid" not in page, url
        assert "time zone" not in page.lower(), url


def test_the_footer_links_to_privacy_accessibility_and_help_on_every_page(client):
    page = client.get(reverse("home")).content.decode()

    for name in ("privacy", "accessibility", "help"):
        assert f'href="{reverse(name)}"' in page
    for name, words in (("privacy", "Privacy"), ("accessibility", "Accessibility statement"), ("help", "help@")):
        assert words in client.get(reverse(name)).content.decode()


def test_the_footer_follows_the_operators_own_pages_and_help_address(client, settings):
    settings.PRIVACY_URL = "https://health.example/privacy"
    settings.ACCESSIBILITY_URL = "https://health.example/accessibility"
    settings.HELP_EMAIL = "vacunas@health.example"

    page = client.get(reverse("home")).content.decode()
    help_page = client.get(reverse("help")).content.decode()

    assert 'href="https://health.example/privacy"' in page
    assert 'href="https://health.example/accessibility"' in page
    assert "mailto:vacunas@health.example" in help_page


def test_the_footer_pages_take_only_get(client):
    assert client.post(reverse("privacy")).status_code == 405
