import json

import pytest
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import CommandError, call_command
from fhir.resources.R4B.bundle import Bundle

from campaign.exports import pseudonym


@pytest.fixture
def export_dir(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "campaign_exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    # Django's setting_changed handler rebuilds `storages` from the new STORAGES.
    return tmp_path


def test_the_daily_export_writes_yesterdays_doses_as_csv_and_fhir(campaign, export_dir, capsys):
    # Frozen on 10 December: nothing yesterday; the day is chosen explicitly.
    call_command("export_campaign_doses", "--day", "2026-12-02")

    csv_text = (export_dir / "doses/2026/doses-2026-12-02.csv").read_text()
    assert csv_text.splitlines()[1].startswith("2026-12-02,Madrid Centro,Covid,CV-9,2,")
    assert pseudonym(campaign.people[4].pk) in csv_text
    assert "Last4" not in csv_text
    bundle = Bundle.model_validate(json.loads((export_dir / "doses/2026/doses-2026-12-02.fhir.json").read_text()))
    assert len(bundle.entry) == 1
    assert "wrote doses/2026/doses-2026-12-02.csv" in capsys.readouterr().out


def test_running_the_daily_export_twice_replaces_the_days_files(campaign, export_dir):
    call_command("export_campaign_doses", "--day", "2026-12-01")
    call_command("export_campaign_doses", "--day", "2026-12-01")

    assert sorted(p.name for p in (export_dir / "doses/2026").iterdir()) == [
        "doses-2026-12-01.csv",
        "doses-2026-12-01.fhir.json",
    ]


def test_without_a_day_the_export_takes_yesterday(campaign, export_dir):
    call_command("export_campaign_doses")

    assert (export_dir / "doses/2026/doses-2026-12-09.csv").read_text().count("\n") == 1


def test_a_bad_day_is_a_clear_error(db):
    with pytest.raises(CommandError, match="--day must be a date"):
        call_command("export_campaign_doses", "--day", "2026-02-30")


def test_the_export_storage_is_a_folder_by_default():
    # The test session replaces STORAGES (tests/conftest.py): read the project's own.
    from project import settings as project_settings

    backend = project_settings.STORAGES["campaign_exports"]
    assert isinstance(storages.create_storage(backend), FileSystemStorage)
