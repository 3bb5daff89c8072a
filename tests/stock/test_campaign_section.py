"""The campaign overview's stock sections (stock.campaign), counted by hand."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from fleet.models import Excursion
from stock import services
from stock.campaign import campaign_sections
from stock.models import Lot, Quarantine

pytestmark = pytest.mark.django_db


def test_the_overview_shows_stock_expiring_soon_and_waste_of_the_period(vaccine, site, clinic_staff):
    today = timezone.localdate()
    fresh = Lot.objects.create(vaccine=vaccine, number="FRESH", expires_on=today + timedelta(days=200))
    soon = Lot.objects.create(vaccine=vaccine, number="SOON", expires_on=today + timedelta(days=10))
    held = Lot.objects.create(vaccine=vaccine, number="HELD", expires_on=today + timedelta(days=200))
    services.receive(lot=fresh, quantity=20, by=clinic_staff, site=site)
    services.receive(lot=soon, quantity=5, by=clinic_staff, site=site)
    services.receive(lot=held, quantity=7, by=clinic_staff, site=site)
    Lot.objects.filter(pk=held.pk).update(status=Lot.Status.QUARANTINED)
    services.waste(lot=fresh, quantity=3, reason="broken", by=clinic_staff, site=site)

    stock, waste, excursions = campaign_sections(first_day=today - timedelta(days=7), last_day=today)

    assert stock["rows"] == [["Comirnaty", 22, 5, 7]]

    assert "22 usable doses on hand, 5 of them expiring" in stock["summary"]
    assert waste["rows"] == [["Broken", 3]]
    assert excursions["rows"] == []


def test_waste_before_the_period_is_not_counted(vaccine, site, clinic_staff):
    today = timezone.localdate()
    lot = Lot.objects.create(vaccine=vaccine, number="L1", expires_on=today + timedelta(days=200))
    services.receive(lot=lot, quantity=4, by=clinic_staff, site=site)
    services.waste(lot=lot, quantity=1, reason="broken", by=clinic_staff, site=site)

    _stock, waste, _excursions = campaign_sections(first_day=today + timedelta(days=1), last_day=today + timedelta(2))

    assert waste["rows"] == []


@override_settings(DEBUG=False)  # the page cache is off in DEBUG
def test_the_cached_stock_sections_change_at_once_with_every_kind_of_stock_change(
    client, campaign_lead, vaccine, site, truck, clinic_staff
):
    """The overview keeps its stock sections in the page cache on STOCK; each
    way stock changes (a service, a lead's release, an edit in the admin, a
    truck's excursion) shows on the next look."""
    client.force_login(campaign_lead)
    today = timezone.localdate()
    lot = Lot.objects.create(vaccine=vaccine, number="L1", expires_on=today + timedelta(days=200))
    services.receive(lot=lot, quantity=20, by=clinic_staff, site=site)

    def overview():
        return client.get(reverse("campaign:overview")).content.decode()

    assert "20 usable doses on hand" in overview()
    assert "20 usable doses on hand" in overview()  # the cached copy

    services.waste(lot=lot, quantity=3, reason="broken", by=clinic_staff, site=site)
    page = overview()
    assert "17 usable doses on hand" in page
    assert "3 doses were wasted in this period." in page

    excursion = Excursion.objects.create(
        truck=truck,
        started_at=timezone.now() - timedelta(hours=1),
        last_out_at=timezone.now(),
        low_celsius=2,
        high_celsius=8,
        worst_celsius=12.5,
    )
    assert "1 truck fridge left its temperature range in this period." in overview()

    # Held back as an excursion's answer does it: an UPDATE, then the quarantine row.
    Lot.objects.filter(pk=lot.pk).update(status=Lot.Status.QUARANTINED)
    Quarantine.objects.create(lot=lot, excursion=excursion)
    assert "0 usable doses on hand" in overview()
    services.release(lot=lot, reason="Stability data covers it", by=campaign_lead)
    assert "17 usable doses on hand" in overview()

    lot.refresh_from_db()
    lot.expires_on = today + timedelta(days=10)  # corrected in the admin
    lot.save()
    assert "17 usable doses on hand, 17 of them expiring" in overview()
