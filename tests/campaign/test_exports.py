import csv
import io
import json

import pytest
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle

from audit.models import Action, AuditEvent
from campaign.exports import age_band, pseudonym
from tests.campaign.conftest import RANGE

CSV = reverse("campaign:export-csv")
FHIR = reverse("campaign:export-fhir")


def _body(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def _rows(response):
    return list(csv.DictReader(io.StringIO(_body(response))))


def test_the_csv_has_one_pseudonymous_row_per_dose_on_its_local_day(lead_client, campaign):
    response = lead_client.get(CSV, RANGE)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="doses-20261201-20261203.csv"' in response["Content-Disposition"]
    rows = _rows(response)
    assert list(rows[0]) == ["date", "clinic", "vaccine", "lot", "dose_number", "age_band", "person_id"]
    assert [(r["date"], r["clinic"], r["vaccine"], r["lot"], r["dose_number"]) for r in rows] == [
        ("2026-12-01", "Madrid Centro", "Flu", "FL-1", "1"),
        ("2026-12-01", "Madrid Centro", "Flu", "FL-1", "1"),
        ("2026-12-02", "Madrid Centro", "Covid", "CV-9", "2"),
        ("2026-12-03", "Lisboa Baixa", "Flu", "FL-2", "1"),
    ]
    people = campaign.people
    assert [r["person_id"] for r in rows] == [pseudonym(p.pk) for p in (people[0], people[1], people[4], people[6])]
    assert rows[0]["age_band"] == "65-79"  # born 1 June 1950, 76 in December 2026
    body = _body(lead_client.get(CSV, RANGE))
    for person in people:
        assert person.email not in body
        assert person.last_name not in body
    assert not AuditEvent.objects.filter(action=Action.CAMPAIGN_EXPORT).exists()


def test_personal_data_comes_only_when_ticked_and_the_tick_is_audited(lead_client, campaign, campaign_lead):
    response = lead_client.get(CSV, {**RANGE, "site": campaign.lisbon.pk, "personal": "1"})

    rows = _rows(response)
    assert [(r["first_name"], r["last_name"], r["email"]) for r in rows] == [("First6", "Last6", "p6@example.org")]
    event = AuditEvent.objects.get(action=Action.CAMPAIGN_EXPORT)
    assert event.actor == campaign_lead
    assert event.data["format"] == "csv"
    assert f"site={campaign.lisbon.pk}" in event.data["filters"]
    assert "personal" in response["Content-Disposition"]


def test_the_fhir_bundle_validates_as_immunizations_with_patient_references(lead_client, campaign):
    response = lead_client.get(FHIR, RANGE)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    data = json.loads(_body(response))
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    immunizations = [entry.resource for entry in bundle.entry]
    assert [i.__resource_type__ for i in immunizations] == ["Immunization"] * 4
    covid = immunizations[2]
    assert covid.patient.reference == f"Patient/{pseudonym(campaign.people[4].pk)}"
    assert covid.lotNumber == "CV-9"
    assert covid.protocolApplied[0].doseNumberPositiveInt == 2
    assert covid.occurrenceDateTime.isoformat().startswith("2026-12-01T23:30:00")
    assert "Last4" not in json.dumps(data)


def test_the_fhir_bundle_with_personal_data_names_the_patient_and_is_audited(lead_client, campaign):
    data = json.loads(_body(lead_client.get(FHIR, {**RANGE, "personal": "1"})))

    Bundle.model_validate(data)
    assert data["entry"][0]["resource"]["patient"]["display"] == "First0 Last0"
    assert AuditEvent.objects.get(action=Action.CAMPAIGN_EXPORT).data["format"] == "json"


def test_an_empty_range_exports_a_header_and_an_empty_valid_bundle(lead_client, campaign):
    empty = {"start": "2026-11-01", "end": "2026-11-02"}

    assert _body(lead_client.get(CSV, empty)).splitlines() == ["date,clinic,vaccine,lot,dose_number,age_band,person_id"]
    Bundle.model_validate(json.loads(_body(lead_client.get(FHIR, empty))))


def test_a_lot_that_looks_like_a_formula_is_defused(lead_client, campaign):
    from vaccination.models import Appointment

    Appointment.objects.filter(vaccine_lot="CV-9").update(vaccine_lot="=HYPERLINK(1)")

    assert "'=HYPERLINK(1)" in _body(lead_client.get(CSV, RANGE))


@pytest.mark.parametrize("url", [CSV, FHIR])
@pytest.mark.parametrize(
    "params", [{"start": "2026-12-05", "end": "2026-12-01"}, {"site": "424242"}, {"end": "2026-13-01"}]
)
def test_bad_filters_export_nothing(lead_client, campaign, url, params):
    response = lead_client.get(url, params)

    assert response.status_code == 400
    assert not response.streaming


@pytest.mark.parametrize("url", [CSV, FHIR])
def test_exports_are_for_the_lead_and_admins_only(client, clinic_staff, superuser, campaign, url):
    assert "/login/" in client.get(url)["Location"]
    client.force_login(clinic_staff)
    assert client.get(url).status_code == 403
    client.force_login(superuser)
    assert client.get(url, RANGE).status_code == 200
    assert client.post(url).status_code == 405


def test_a_pseudonym_is_stable_and_differs_per_person_and_per_key(settings):
    first = pseudonym(1)

    assert first == pseudonym(1) != pseudonym(2)
    settings.SECRET_KEY = "another-key-another-key-another-key-another-key"
    assert pseudonym(1) != first


@pytest.mark.parametrize(
    ("born", "band"),
    [(None, ""), ("2020-01-01", "0-11"), ("2010-12-02", "12-17"), ("2008-12-01", "18-29"), ("1930-01-01", "80+")],
)
def test_age_bands_count_birthdays(born, band):
    from datetime import date

    assert age_band(date.fromisoformat(born) if born else None, date(2026, 12, 1)) == band
