"""The fleet import takes any file a spreadsheet or an attacker produces:
it imports it, or refuses it with the line and the reason, never a traceback."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from fleet.models import Driver, Truck
from tests.security.strategies import NASTY, UNICODE, fuzz

pytestmark = pytest.mark.django_db

DRIVER_HEADER = [
    "licence_number",
    "first_name",
    "last_name",
    "licence_expiry",
    "phone",
    "email",
    "date_of_birth",
    "address",
    "active",
    "client",
]
TRUCK_HEADER = ["code", "plate", "make", "model", "year", "status"]
CELL = st.one_of(UNICODE, NASTY, st.integers(min_value=-(10**30), max_value=10**30).map(str))


def rows(header):
    return st.lists(st.fixed_dictionaries(dict.fromkeys(header, CELL)), min_size=1, max_size=4)


def run(tmp_path, header, records):
    path = tmp_path / "import.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(records)
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_fleet", str(path), stdout=out, stderr=err)
    except CommandError:
        return False, err.getvalue()
    return True, out.getvalue()


@fuzz
@given(records=rows(DRIVER_HEADER))
def test_a_driver_file_of_garbage_is_imported_or_refused_line_by_line(tmp_path, records):
    before = Driver.objects.count()

    imported, report = run(tmp_path, DRIVER_HEADER, records)

    if not imported:
        assert "line " in report or "cannot read" in report
        assert Driver.objects.count() == before


@fuzz
@given(records=rows(TRUCK_HEADER))
def test_a_truck_file_of_garbage_is_imported_or_refused_line_by_line(tmp_path, records):
    before = Truck.objects.count()

    imported, report = run(tmp_path, TRUCK_HEADER, records)

    if not imported:
        assert "line " in report or "cannot read" in report
        assert Truck.objects.count() == before


@fuzz
@given(content=st.binary(max_size=2000))
def test_any_bytes_as_a_file_are_refused_in_words(tmp_path, content):
    path = tmp_path / "random.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError):
        call_command("import_fleet", str(path), stdout=io.StringIO(), stderr=io.StringIO())
