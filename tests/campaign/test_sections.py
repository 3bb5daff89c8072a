"""The overview's optional sections: an app that is not installed, or has no
data, adds nothing; one that has data adds its section with its table."""

from datetime import date

from django.urls import reverse

from campaign import sections
from campaign.figures import Filters
from campaign.sections import Provider, optional_sections
from tests.campaign.conftest import RANGE

FILTERS = Filters(first_day=date(2026, 12, 1), last_day=date(2026, 12, 3))
calls = []


def stock_sections(*, first_day, last_day, site=None, vaccine=None):
    calls.append((first_day, last_day, site, vaccine))
    return [
        {
            "title": "Stock on hand",
            "summary": "2 lots on hand, 1 expiring within 30 days.",
            "columns": ["Lot", "Doses"],
            "rows": [["FL-1", 40], ["CV-9", 12]],
        },
        {"title": "Wasted doses", "summary": "Nothing was wasted.", "columns": ["Lot"], "rows": []},
    ]


# "campaign" stands in for an installed app; "stock-not-here" for one that is not.
HERE = Provider("campaign", "tests.campaign.test_sections.stock_sections")
NOT_INSTALLED = Provider("stock-not-here", "stock_not_here.campaign.campaign_sections")
NO_MODULE = Provider("campaign", "campaign.no_such_module.campaign_sections")


def test_without_the_apps_installed_there_is_no_section():
    assert optional_sections(FILTERS) == []
    assert optional_sections(FILTERS, providers=[NOT_INSTALLED]) == []


def test_an_installed_app_without_the_provider_module_is_skipped_not_an_error():
    assert optional_sections(FILTERS, providers=[NO_MODULE]) == []


def test_a_provider_gets_the_filters_and_only_sections_with_rows_are_shown():
    calls.clear()

    shown = optional_sections(FILTERS, providers=[HERE, NOT_INSTALLED])

    assert [section["title"] for section in shown] == ["Stock on hand"]
    assert calls == [(date(2026, 12, 1), date(2026, 12, 3), None, None)]


def test_the_overview_shows_a_providers_section_with_its_table(lead_client, campaign, monkeypatch):
    monkeypatch.setattr(sections, "PROVIDERS", (HERE,))

    html = lead_client.get(reverse("campaign:overview"), RANGE).content.decode()

    assert "Stock on hand" in html
    assert "2 lots on hand, 1 expiring within 30 days." in html
    assert "<td>FL-1</td>" in html
    assert "Wasted doses" not in html
