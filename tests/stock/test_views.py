"""The stock pages: a clinic's and a truck's stock, excursions, affected doses and decisions."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from fleet import coldchain
from fleet.models import Excursion
from stock import services
from stock.models import Lot, StockLevel, StockMovement
from tests.factories import UserFactory
from tests.fleet.factories import TruckFactory
from vaccination.checkin import record_dose
from vaccination.models import Site

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.STAFF_MFA_REQUIRED = False


@pytest.fixture
def desk(client, clinic_staff):
    client.force_login(clinic_staff)
    return client


@pytest.fixture
def excursion(make_lot, mobile_site, truck, checked_in, clinic_staff):
    """A 30-minute excursion on the mobile clinic's truck after two doses of its lot."""
    lot = make_lot("EX1")
    services.receive(lot=lot, quantity=5, truck=truck, by=clinic_staff, at=timezone.now() - timedelta(hours=3))
    for _ in range(2):
        record_dose(appointment=checked_in(mobile_site), lot="EX1", by=clinic_staff)
    start = timezone.now() - timedelta(hours=2)
    batch = [(start + timedelta(minutes=m), 12.0 if m < 30 else 5.0) for m in range(60)]
    coldchain.record_readings(truck=truck, readings=batch)
    return Excursion.objects.get()


def test_the_stock_page_lists_the_lots_on_hand_with_an_expiry_warning(desk, make_lot, site, clinic_staff):
    soon = make_lot("SOON1", expires_on=timezone.localdate() + timedelta(days=10))
    services.receive(lot=soon, quantity=7, site=site, by=clinic_staff)

    response = desk.get(reverse("stock:clinic"))

    assert response.status_code == 200
    assert [level.lot for level in response.context["levels"]] == [soon]
    assert [level.lot for level in response.context["expiring"]] == [soon]
    assert "SOON1" in response.text


def test_the_stock_page_shows_only_the_staff_members_clinics(desk, lot, site, clinic_staff):
    other = Site.objects.create(name="Elsewhere", address="2 Far Road")
    services.receive(lot=lot, quantity=3, site=other, by=clinic_staff)

    response = desk.get(reverse("stock:clinic"), {"site": other.pk})

    assert response.context["site"] == site
    assert not response.context["levels"]


def test_a_count_on_the_page_records_the_adjustment(desk, stocked, site):
    response = desk.post(
        reverse("stock:clinic"),
        {"action": "count", "site": site.pk, "count-lot": stocked.pk, "count-counted": 8, "count-note": "recount"},
    )

    assert response.status_code == 302
    movement = StockMovement.objects.get(kind=StockMovement.Kind.ADJUSTED)
    assert (movement.quantity, movement.counted, movement.note) == (-2, 8, "recount")


def test_moving_more_doses_than_are_here_says_why_and_changes_nothing(desk, stocked, site, mobile_site, truck):
    response = desk.post(
        reverse("stock:clinic"),
        {
            "action": "move",
            "site": site.pk,
            "move-lot": stocked.pk,
            "move-quantity": 50,
            "move-to": f"truck:{truck.pk}",
        },
        follow=True,
    )

    assert "Only 10 doses" in response.text
    assert StockLevel.objects.get(lot=stocked, site=site).quantity == 10


def test_the_movements_filter_by_kind(desk, stocked, site, clinic_staff):
    services.waste(lot=stocked, quantity=1, reason="broken", site=site, by=clinic_staff)

    response = desk.get(reverse("stock:clinic"), {"kind": "wasted"})

    assert [m.kind for m in response.context["page_obj"]] == ["wasted"]


def test_the_stock_page_reads_a_constant_number_of_queries(
    desk, make_lot, site, clinic_staff, django_assert_max_num_queries
):
    for index in range(12):
        services.receive(lot=make_lot(f"L{index}"), quantity=2, site=site, by=clinic_staff)
    with django_assert_max_num_queries(20):
        assert desk.get(reverse("stock:clinic")).status_code == 200


def test_stock_pages_send_anonymous_visitors_to_log_in(client, truck):
    for url in (reverse("stock:clinic"), reverse("stock:truck", args=[truck.pk]), reverse("stock:excursions")):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_a_person_may_not_open_the_stock_page(client, person):
    client.force_login(person)
    assert client.get(reverse("stock:clinic")).status_code == 403


def test_another_clinics_truck_is_not_found_for_clinic_staff(desk):
    assert desk.get(reverse("stock:truck", args=[TruckFactory().pk])).status_code == 404


def test_the_stock_page_refuses_other_methods(desk):
    assert desk.put(reverse("stock:clinic")).status_code == 405
    assert desk.get(reverse("stock:lot-release", args=[1])).status_code in (403, 405)


def test_a_fleet_manager_sees_a_trucks_stock_but_not_the_doses_given(client, fleet_manager, excursion):
    client.force_login(fleet_manager)

    assert client.get(reverse("stock:truck", args=[excursion.truck_id])).status_code == 200
    assert client.get(reverse("stock:excursions")).status_code == 200
    assert client.get(reverse("stock:excursion", args=[excursion.pk])).status_code == 403


def test_the_excursion_page_lists_the_affected_people_and_exports_them(desk, excursion):
    response = desk.get(reverse("stock:excursion", args=[excursion.pk]))
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 2

    export = desk.get(reverse("stock:affected-csv", args=[excursion.pk]))

    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][:3] == ["given_at", "lot", "code"]
    assert len(rows) == 3
    assert {row[1] for row in rows[1:]} == {"EX1"}
    assert AuditEvent.objects.filter(action=Action.DATA_EXPORT).exists()


def test_a_campaign_lead_releases_a_lot_from_the_excursion_page(client, campaign_lead, excursion):
    client.force_login(campaign_lead)
    lot = Lot.objects.get(number="EX1")

    response = client.post(
        reverse("stock:lot-release", args=[lot.pk]),
        {"reason": "Stability data: 30 min at 12 °C is fine", "excursion": excursion.pk},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("stock:excursion", args=[excursion.pk])
    lot.refresh_from_db()
    assert lot.status == Lot.Status.AVAILABLE


def test_a_decision_without_a_reason_is_refused(client, campaign_lead, excursion):
    client.force_login(campaign_lead)
    lot = Lot.objects.get(number="EX1")

    client.post(reverse("stock:lot-discard", args=[lot.pk]), {"reason": ""})

    lot.refresh_from_db()
    assert lot.status == Lot.Status.QUARANTINED


def test_clinic_staff_may_not_release_a_lot(desk, excursion):
    lot = Lot.objects.get(number="EX1")
    assert desk.post(reverse("stock:lot-release", args=[lot.pk]), {"reason": "x"}).status_code == 403


def test_the_desk_offers_the_lots_and_refuses_a_quarantined_one_with_words(desk, excursion, mobile_site, checked_in):
    appointment = checked_in(mobile_site)

    page = desk.get(reverse("clinic:appointment", args=[appointment.pk]))
    response = desk.post(reverse("clinic:record-dose", args=[appointment.pk]), {"vaccine_lot": "EX1"}, follow=True)

    assert "EX1" not in dict(page.context["dose_form"].fields["vaccine_lot"].widget.choices)
    assert "quarantined" in response.text
    appointment.refresh_from_db()
    assert appointment.dose_given_at is None


def test_the_truck_page_draws_the_last_24_hours_with_the_excursion(client, fleet_manager, excursion):
    client.force_login(fleet_manager)

    response = client.get(reverse("fleet:truck-detail", args=[excursion.truck_id]))

    assert response.status_code == 200
    assert "<svg" in response.text
    assert 'fill="#f8d7da"' in response.text
    assert "30 minutes out of range" in response.text


def test_a_new_lot_is_recorded_by_clinic_staff(desk, vaccine):
    response = desk.post(
        reverse("stock:lot-create"),
        {
            "vaccine": vaccine.pk,
            "number": "new-1",
            "expires_on": "2030-01-01",
            "doses_per_vial": 6,
            "open_vial_hours": 6,
            "min_celsius": 2,
            "max_celsius": 8,
        },
    )

    assert response.status_code == 302
    assert Lot.objects.get().number == "NEW-1"


def test_a_user_with_no_role_gets_nothing(client):
    client.force_login(UserFactory())
    assert client.get(reverse("stock:excursions")).status_code == 403


def test_the_chart_draws_the_same_numbers_in_spanish(client, fleet_manager, excursion):
    fleet_manager.language = "es"
    fleet_manager.save(update_fields=["language"])
    client.force_login(fleet_manager)

    response = client.get(reverse("fleet:truck-detail", args=[excursion.truck_id]), HTTP_ACCEPT_LANGUAGE="es")

    svg = response.text.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "desviación" in response.text
    assert not re.search(r'(x|y|width|height)="-?\d+,\d', svg)
