"""Finding a town or postcode in the place table: what the booking page
measures distances from."""

import pytest

from places.search import distance_km, find_place


def test_a_postcode_is_found_however_it_is_typed(towns):
    search = find_place(" 28 930 ")

    assert search.origin.label == "28930 Hillcrest"
    assert (search.origin.latitude, search.origin.longitude) == (40.5210, -3.6480)


def test_a_name_is_found_whatever_its_case_accents_and_spaces(towns):
    assert find_place("alcala  DEL rio").origin.label == "Alcalá del Río"


def test_a_town_with_several_postcodes_is_searched_from_their_middle(towns):
    search = find_place("Riverside")

    assert search.choices == []
    assert search.origin.latitude == pytest.approx((40.4168 + 40.4102) / 2)


def test_the_first_letters_of_a_name_find_it(towns):
    assert find_place("Hillc").origin.label == "Hillcrest"


def test_a_name_of_two_places_asks_which_one_and_each_choice_finds_one(towns):
    search = find_place("villanueva")

    assert search.origin is None
    assert search.choices == ["Villanueva, Valle Norte", "Villanueva, Valle Sur"]
    assert find_place("Villanueva, Valle Sur").origin.latitude == 40.3310


def test_an_unknown_name_finds_nothing_and_suggests_close_names(towns):
    search = find_place("Hilcrest")

    assert search.found_nothing
    assert search.suggestions == ["Hillcrest"]


@pytest.mark.parametrize("garbage", ["%", "_", "'; DROP TABLE places_place; --", "\t", "🙂", "x" * 500])
def test_garbage_finds_nothing_and_breaks_nothing(towns, garbage):
    search = find_place(garbage)

    assert search.origin is None
    assert search.choices == []


def test_an_empty_search_is_no_search(towns):
    assert not find_place("   ").found_nothing


def test_a_search_reads_at_most_two_queries(towns, django_assert_max_num_queries):
    for query in ("28930", "Villanueva", "Hilcrest"):
        with django_assert_max_num_queries(2):
            find_place(query)


def test_distances_are_great_circle_kilometres():
    madrid, barcelona = (40.4168, -3.7038), (41.3874, 2.1686)

    assert distance_km(*madrid, *barcelona) == pytest.approx(505, abs=3)
    assert distance_km(*madrid, *madrid) == 0
