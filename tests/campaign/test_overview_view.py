from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.accounts.test_staff_mfa import with_totp
from tests.campaign.conftest import RANGE, _appointment, _slot
from tests.pages import queries_of
from vaccination.models import Appointment, Site

URL = reverse("campaign:overview")


def test_the_lead_sees_the_hand_counted_figures_with_charts_tables_and_summaries(lead_client, campaign):
    response = lead_client.get(URL, RANGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["figures"].totals["doses"] == 4
    assert html.count("<svg") == 4
    assert "4 doses were given (3 first, 1 later) against 8 seats booked and 9 offered" in html
    assert "Madrid Centro" in html
    assert "Lisboa Baixa" in html
    assert "38 %" in html  # 3 no-shows of 8 outcomes
    assert "<table" in html
    assert "<details" in html


def test_without_parameters_the_overview_shows_the_last_thirty_days(lead_client, campaign):
    response = lead_client.get(URL)

    assert response.status_code == 200
    filters = response.context["figures"].filters
    assert (filters.last_day - filters.first_day).days == 29
    assert filters.last_day.isoformat() == "2026-12-10"


def test_the_overview_answers_in_the_same_number_of_queries_with_more_rows(lead_client, campaign):
    cache.clear()  # both looks computed afresh: nothing from the page cache
    few, _ = queries_of(lead_client, URL, RANGE)
    start, _end = campaign.lisbon.local_day_bounds(date(2026, 12, 2))
    slot = _slot(campaign.lisbon, campaign.covid, start, 50, 2)
    for person in campaign.people[10:]:
        _appointment(person, slot, Appointment.Status.NO_SHOW)
    Site.objects.create(name="Another clinic", address="2 Side Street")

    cache.clear()
    many, html = queries_of(lead_client, URL, RANGE)

    assert "Another clinic" in html
    assert few == many
    # The overview's own figures, and the fixed few of the installed apps'
    # sections (stock: 3, readiness: its days at risk).
    assert many <= 16


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-12-03", "end": "2026-12-01"}, "The first day must not be after the last day."),
        ({"start": "2024-01-01", "end": "2026-12-01"}, "Choose at most two years."),
        ({"start": "2026-02-30"}, "Enter a valid date."),
        ({"start": "99999-01-01"}, "Enter a valid date."),
        ({"site": "999999"}, "There is no such clinic."),
        ({"site": "abc"}, "There is no such clinic."),
        ({"vaccine": "10000000000000000000000000000000"}, "There is no such vaccine."),
    ],
)
def test_bad_filters_are_a_form_error_not_a_crash(lead_client, campaign, params, message):
    response = lead_client.get(URL, params)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "figures" not in response.context


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("role", ["person", "clinic_staff", "fleet_manager", "driver", "client_user"])
def test_other_roles_may_not_see_the_overview(client, db, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(URL).status_code == 403


def test_an_admin_sees_the_overview(client, superuser, campaign):
    client.force_login(superuser)

    assert client.get(URL, RANGE).status_code == 200


def test_the_overview_takes_only_get(lead_client, db):
    assert lead_client.post(URL).status_code == 405


def test_the_lead_gets_no_desk_page(lead_client, campaign):
    for name in ("clinic:checkin", "clinic:today"):
        assert lead_client.get(reverse(name)).status_code == 403


def test_a_lead_without_two_factor_is_sent_to_set_it_up(client, campaign_lead, settings, db):
    settings.STAFF_MFA_REQUIRED = True
    client.force_login(campaign_lead)

    assert client.get(URL).status_code == 302
    with_totp(campaign_lead)
    assert client.get(URL).status_code == 200


def test_the_navigation_links_the_overview_for_the_lead_only(lead_client, person, db):
    from django.test import Client

    other = Client()
    other.force_login(person)

    assert URL in lead_client.get("/").content.decode()
    assert URL not in other.get("/").content.decode()
