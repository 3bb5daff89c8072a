"""The campaign overview's stock sections (stock.campaign), counted by hand."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stock import services
from stock.campaign import campaign_sections
from stock.models import Lot

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
