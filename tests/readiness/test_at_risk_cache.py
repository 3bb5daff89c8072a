"""/fleet/readiness/ is drawn once and kept in the page cache: whatever
changes a day at risk shows at once, and each reader gets their own CSRF
field in the forms."""

import datetime
from datetime import time

import pytest
from django.urls import reverse
from django.utils import timezone

from readiness.clinic_days import coming_at_risk_days
from readiness.models import Document
from tests.readiness.factories import DocumentFactory, mobile_clinic_day, ready_truck
from vaccination.models import Slot

pytestmark = pytest.mark.django_db
AT_RISK = reverse("readiness:at-risk")


def _expired(truck):
    return DocumentFactory(truck=truck, expires_on=timezone.localdate() - datetime.timedelta(days=1))


@pytest.fixture
def manager_client(client, fleet_manager):
    client.force_login(fleet_manager)
    return client


def test_a_renewed_document_clears_the_cached_day_at_once(manager_client):
    truck = ready_truck()
    site, _day = mobile_clinic_day(truck)
    document = _expired(truck)
    assert site.name in manager_client.get(AT_RISK).content.decode()

    document.expires_on = timezone.localdate() + datetime.timedelta(days=365)
    document.save()

    assert site.name not in manager_client.get(AT_RISK).content.decode()


def test_a_new_slot_and_a_new_expiry_show_on_the_cached_page_at_once(manager_client):
    truck = ready_truck()
    site, day = mobile_clinic_day(truck, booked=3)
    assert "Every mobile clinic day is covered" in manager_client.get(AT_RISK).content.decode()

    Document.objects.create(
        truck=truck, type=_expired(ready_truck()).type, number="X", expires_on=day - datetime.timedelta(days=1)
    )
    assert "3 people booked" in manager_client.get(AT_RISK).content.decode()

    slot = Slot.objects.get(site=site)
    Slot.objects.create(
        site=site,
        vaccine=slot.vaccine,
        start=slot.end,
        end=slot.end + datetime.timedelta(minutes=15),
        capacity=5,
        booked_count=2,
    )
    assert "5 people booked" in manager_client.get(AT_RISK).content.decode()


def test_each_reader_gets_their_own_csrf_field_in_the_cached_forms(client, fleet_manager, django_user_model):
    site, _day = mobile_clinic_day(ready_truck())
    _expired(site.truck)
    client.force_login(fleet_manager)
    first = client.get(AT_RISK)
    client.logout()
    client.cookies.clear()
    client.force_login(fleet_manager)
    second = client.get(AT_RISK)

    for response in (first, second):
        html = response.content.decode()
        assert 'name="csrfmiddlewaretoken"' in html
        assert "csrf-field" not in html
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value


def test_a_slot_at_half_past_midnight_counts_on_the_clinics_own_day(settings):
    settings.TIME_ZONE = "UTC"
    truck = ready_truck()
    site, _day = mobile_clinic_day(truck, days_ahead=5)
    site.time_zone = "Pacific/Auckland"
    site.save()
    local_day = timezone.localdate() + datetime.timedelta(days=3)
    start = datetime.datetime.combine(local_day, time(0, 30), tzinfo=site.tzinfo)
    Slot.objects.create(
        site=site,
        vaccine=Slot.objects.first().vaccine,
        start=start,
        end=start + datetime.timedelta(minutes=15),
        capacity=5,
        booked_count=4,
    )
    _expired(truck)

    days = {risk.day: risk.booked for risk in coming_at_risk_days()}

    # In UTC the slot starts the day before; in Auckland it is on local_day.
    assert start.astimezone(datetime.UTC).date() == local_day - datetime.timedelta(days=1)
    assert days[local_day] == 4


@pytest.mark.parametrize("n", [1, 30])
def test_a_second_look_at_one_or_many_days_reads_the_cache_in_the_same_few_queries(
    manager_client, django_assert_max_num_queries, n
):
    for i in range(n):
        truck = ready_truck(truck__code=f"CCH-{i:04d}")
        mobile_clinic_day(truck, days_ahead=i % 14)
        _expired(truck)
    manager_client.get(AT_RISK)

    # The signed-in user and their rights; nothing about trucks or clinics.
    with django_assert_max_num_queries(2):
        response = manager_client.get(AT_RISK)

    assert response.content.decode().count('class="card mb-3 at-risk-day"') == min(n, 20)
