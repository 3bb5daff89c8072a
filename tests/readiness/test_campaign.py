import datetime

import pytest
from django.utils import timezone

from readiness.campaign import campaign_sections
from tests.readiness.factories import DocumentFactory, mobile_clinic_day, ready_truck

pytestmark = pytest.mark.django_db


def test_the_campaign_section_lists_the_coming_days_at_risk_with_their_reasons(django_assert_max_num_queries):
    truck = ready_truck()
    site, _day = mobile_clinic_day(truck, booked=4)
    DocumentFactory(truck=truck, expires_on=timezone.localdate() - datetime.timedelta(days=1))
    today = timezone.localdate()

    with django_assert_max_num_queries(10):
        [section] = campaign_sections(
            first_day=today - datetime.timedelta(days=30), last_day=today + datetime.timedelta(days=13)
        )

    [row] = section["rows"]
    assert row[1:4] == [site.name, truck.code, 4]
    assert "Truck document expired: Insurance" in row[4]
    assert "4 people are booked" in section["summary"]
    other, _day = mobile_clinic_day(ready_truck(), name="Ready clinic")
    later = today + datetime.timedelta(days=13)
    assert campaign_sections(first_day=today, last_day=later, site=other)[0]["rows"] == []
