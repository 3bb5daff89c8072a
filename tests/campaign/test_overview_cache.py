"""The overview's figures are cached until the data they show changes."""

from datetime import timedelta

from django.test import override_settings
from django.urls import reverse

from tests.campaign.conftest import RANGE
from tests.pages import queries_of
from vaccination.models import Appointment, Slot

URL = reverse("campaign:overview")


@override_settings(DEBUG=False)
def test_a_second_look_reads_the_figures_from_the_cache(lead_client, campaign):
    first, _html = queries_of(lead_client, URL, RANGE)
    again, cached = queries_of(lead_client, URL, RANGE)

    assert again < first
    assert "4 doses were given" in cached


@override_settings(DEBUG=False)
def test_a_dose_recorded_or_a_slot_added_shows_at_once(lead_client, campaign):
    queries_of(lead_client, URL, RANGE)
    appointment = Appointment.objects.get(person=campaign.people[5])
    appointment.dose_given_at = appointment.slot.start + timedelta(minutes=5)
    appointment.save()

    _, html = queries_of(lead_client, URL, RANGE)
    assert "5 doses were given" in html

    Slot.objects.create(
        site=campaign.lisbon,
        vaccine=campaign.flu,
        start=appointment.slot.start + timedelta(days=1),
        end=appointment.slot.start + timedelta(days=1, minutes=15),
        capacity=7,
    )
    _, html = queries_of(lead_client, URL, RANGE)
    assert "against 8 seats booked and 16 offered" in html


@override_settings(DEBUG=False)
def test_the_cache_is_per_filter(lead_client, campaign):
    queries_of(lead_client, URL, RANGE)

    _, html = queries_of(lead_client, URL, {**RANGE, "site": campaign.lisbon.pk})

    assert "1 dose was given" in html
