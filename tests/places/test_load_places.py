"""`manage.py load_places FILE`: the operator's open-data postal-code file
(docs/places.md) fills the place table; bad rows are reported, not fatal."""

import pytest
from django.core.management import CommandError, call_command

from places.demo import seed_places
from places.models import Place

pytestmark = pytest.mark.django_db


def row(*values):
    # country, postcode, name, admin1, code1, admin2, code2, admin3, code3, latitude, longitude, accuracy
    return "\t".join(values) + "\n"


GOOD = row("ES", "28901", "Riverside", "Valle Centro", "VC", "", "", "", "", "40.4168", "-3.7038", "4")
OTHER = row("ES", "28930", "Hillcrest", "Valle Norte", "VN", "", "", "", "", "40.5210", "-3.6480", "4")


def load(tmp_path, text, capsys):
    path = tmp_path / "ES.txt"
    path.write_text(text, encoding="utf-8")
    call_command("load_places", str(path))
    return capsys.readouterr()


def test_a_good_file_is_loaded_with_its_search_keys(tmp_path, capsys):
    out = load(tmp_path, GOOD + OTHER, capsys)

    assert "Loaded 2 places for ES" in out.out
    place = Place.objects.get(postcode="28930")
    assert (place.name, place.region, place.latitude, place.longitude) == ("Hillcrest", "Valle Norte", 40.521, -3.648)
    assert place.name_key == "hillcrest"


def test_bad_rows_are_reported_with_their_line_and_the_good_ones_loaded(tmp_path, capsys):
    bad = [
        "ES\t28999\tToo few columns\n",
        row("ES", "28998", "North Pole", "", "", "", "", "", "", "999", "0", ""),
        row("ES", "28997", "Nowhere", "", "", "", "", "", "", "north", "west", ""),
        row("SPAIN", "28996", "Long Country", "", "", "", "", "", "", "40", "-3", ""),
        row("ES", "", "No Postcode", "", "", "", "", "", "", "40", "-3", ""),
        row("ES", "28995", "", "", "", "", "", "", "", "40", "-3", ""),
    ]

    out = load(tmp_path, GOOD + "".join(bad) + "\n" + OTHER, capsys)

    assert "Loaded 2 places" in out.out
    assert "skipped 6 bad rows" in out.out
    for line in range(2, 8):
        assert f"Line {line}:" in out.err
    assert "out of range" in out.err
    assert "is not a number" in out.err


def test_loading_again_replaces_the_country_and_keeps_the_others(tmp_path, capsys):
    Place.objects.create(country="PT", postcode="1000-001", name="Lisboa", latitude=38.72, longitude=-9.14)
    load(tmp_path, GOOD + OTHER, capsys)

    load(tmp_path, OTHER, capsys)

    assert sorted(Place.objects.values_list("name", flat=True)) == ["Hillcrest", "Lisboa"]


def test_a_file_without_a_usable_row_changes_nothing(tmp_path, capsys):
    load(tmp_path, GOOD, capsys)

    with pytest.raises(CommandError, match="No usable row"):
        load(tmp_path, "not\ta\tpostcode\tfile\n", capsys)

    assert Place.objects.count() == 1


def test_a_file_that_is_not_utf_8_is_refused_with_words(tmp_path):
    path = tmp_path / "ES.txt"
    path.write_bytes(b"\xff\xfe not utf-8")

    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_places", str(path))


def test_a_row_with_a_nul_character_is_reported_not_sent_to_the_database(tmp_path, capsys):
    out = load(tmp_path, GOOD + GOOD.replace("28901", "28\x00902"), capsys)

    assert "Line 2: a NUL character" in out.err
    assert Place.objects.count() == 1


def test_a_missing_file_is_refused_with_words(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_places", str(tmp_path / "missing.txt"))


def test_the_demo_sample_file_loads_cleanly_and_twice():
    seed_places()
    seed_places()

    assert Place.objects.filter(name="Villanueva").count() == 2
    assert Place.objects.count() == 11
