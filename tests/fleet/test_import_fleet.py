import datetime

import pytest
from django.core.management import CommandError, call_command

from fleet.models import Driver, Truck, TruckStatus
from tests.fleet.factories import ClientFactory, DriverFactory, TruckFactory

pytestmark = pytest.mark.django_db

DRIVERS = """licence_number,first_name,last_name,licence_expiry,phone,email,date_of_birth,address,active,client
b-100,Alba,Zamora,2030-01-31,+34 600 000 001,ALBA@example.org,1980-05-06,"Calle Mayor 1
28001 Madrid",yes,Acme
B-200,Bruno,Yáñez,31/12/2029,,,,,no,
"""
TRUCKS = """code,plate,make,model,year,status
trk-0001,1111 aaa,Iveco,Daily,2020,active
TRK-0002,2222 BBB,Ford,Transit,2018,maintenance
"""


@pytest.fixture
def write(tmp_path):
    def write_file(name, text):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write_file


def test_import_creates_drivers_and_trucks(write, capsys):
    acme = ClientFactory(name="Acme")

    call_command("import_fleet", write("drivers.csv", DRIVERS), write("trucks.csv", TRUCKS))

    alba = Driver.objects.get(licence_number="B-100")
    assert alba.email == "alba@example.org"
    assert alba.client == acme
    assert alba.address == "Calle Mayor 1\n28001 Madrid"
    assert alba.date_of_birth == datetime.date(1980, 5, 6)
    bruno = Driver.objects.get(licence_number="B-200")
    assert not bruno.is_active
    assert bruno.licence_expiry == datetime.date(2029, 12, 31)
    assert Truck.objects.get(code="TRK-0001").plate == "1111 AAA"
    assert Truck.objects.get(code="TRK-0002").status == TruckStatus.MAINTENANCE
    out = capsys.readouterr().out
    assert "2 drivers were created, 0 updated, 0 unchanged" in out
    assert "2 trucks were created" in out


def test_import_twice_changes_nothing_the_second_time(write, capsys):
    ClientFactory(name="Acme")
    files = [write("drivers.csv", DRIVERS), write("trucks.csv", TRUCKS)]
    call_command("import_fleet", *files)

    call_command("import_fleet", *files)

    assert Driver.objects.count() == 2
    assert Truck.objects.count() == 2
    assert "0 drivers were created, 0 updated, 2 unchanged" in capsys.readouterr().out


def test_import_updates_existing_records_matched_by_licence_number_and_code_in_any_case(write, capsys):
    DriverFactory(licence_number="B-100", first_name="Old")
    TruckFactory(code="TRK-0001", plate="9999 ZZZ")
    ClientFactory(name="acme")

    call_command("import_fleet", write("drivers.csv", DRIVERS), write("trucks.csv", TRUCKS))

    assert Driver.objects.get(licence_number="B-100").first_name == "Alba"
    assert Truck.objects.get(code="TRK-0001").plate == "1111 AAA"
    assert "1 drivers were created, 1 updated" in capsys.readouterr().out


def test_a_file_with_a_bad_row_imports_nothing_and_names_each_line(write, capsys):
    bad = """licence_number,first_name,last_name,licence_expiry,client
B-1,Ann,Able,2030-01-01,
B-2,Ben,,2030-01-01,
B-3,Cy,Cole,tomorrow,
B-1,Ann,Again,2030-01-01,
B-4,Di,Dunn,2030-01-01,Nowhere Ltd
"""
    with pytest.raises(CommandError, match="1 of 1 files rejected"):
        call_command("import_fleet", write("drivers.csv", bad))

    assert not Driver.objects.exists()
    err = capsys.readouterr().err
    assert "line 3: last_name: This field cannot be blank." in err
    assert "line 4: licence_expiry 'tomorrow' is not a date" in err
    assert "line 5: licence_number B-1 appears twice in this file (first on line 2)" in err
    assert "line 6: no client company is called 'Nowhere Ltd'" in err
    assert "line 2:" not in err
    assert "rejected, nothing imported (4 rows with errors)" in err


def test_a_bad_trucks_file_does_not_stop_a_good_drivers_file(write, capsys):
    TruckFactory(code="TRK-0005", plate="5555 EEE")
    bad_trucks = """code,plate,make,model,year,status
TRK-42,1111 AAA,Iveco,Daily,2020,
TRK-0003,5555 eee,Iveco,Daily,2020,
TRK-0004,3333 CCC,Iveco,Daily,last year,
TRK-0006,4444 DDD,Iveco,Daily,2020,parked
TRK-0007,7777 GGG,Iveco,Daily,2020,
TRK-0008,7777 ggg,Iveco,Daily,2020,
"""
    ClientFactory(name="Acme")

    with pytest.raises(CommandError):
        call_command("import_fleet", write("trucks.csv", bad_trucks), write("drivers.csv", DRIVERS))

    assert list(Truck.objects.values_list("code", flat=True)) == ["TRK-0005"]
    assert Driver.objects.count() == 2
    err = capsys.readouterr().err
    assert "line 2: code: Enter a truck code of three letters" in err
    assert "line 3: plate: Truck with this Number plate already exists." in err
    assert "line 4: year 'last year' must be a number" in err
    assert "line 5: status 'parked' must be one of" in err
    assert "line 7: plate 7777 GGG appears twice in this file (first on line 6)" in err


def test_dry_run_validates_but_saves_nothing(write, capsys):
    call_command("import_fleet", write("trucks.csv", TRUCKS), dry_run=True)

    assert not Truck.objects.exists()
    assert "2 trucks would be created" in capsys.readouterr().out


def test_a_file_of_unknown_columns_is_refused(write):
    with pytest.raises(CommandError, match="the header must hold either the driver columns"):
        call_command("import_fleet", write("other.csv", "name,age\nAnn,3\n"))


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(CommandError, match="cannot read it"):
        call_command("import_fleet", str(tmp_path / "missing.csv"))
