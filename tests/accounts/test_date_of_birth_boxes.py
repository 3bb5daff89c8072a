"""Dates of birth as three boxes (day, month, year) on signup, the profile
and the people a person cares for, with a plain message for each mistake."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.date_fields import MemorableDateField
from accounts.models import User

SIGNUP = {
    "email": "nina@example.org",
    "first_name": "Nina",
    "last_name": "New",
    "password1": "a-long-enough-passphrase",
    "password2": "a-long-enough-passphrase",
}


def boxes(name, day, month, year):
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter the date of birth."),
        ("", "3", "1980", "The date of birth must include a day."),
        ("27", "", "1980", "The date of birth must include a month."),
        ("27", "3", "", "The date of birth must include a year."),
        ("27", "March", "1980", "Enter the date of birth in numbers, for example 27 3 1980."),
        ("27", "3", "80", "The year must have 4 numbers, for example 1980."),
        ("31", "2", "1980", "The date of birth must be a real date."),
        ("1", "1", "2999", "The date of birth cannot be in the future."),
        ("1", "1", "1850", "Enter a date of birth after 1900."),
    ],
)
def test_each_mistake_in_the_three_boxes_gets_its_own_plain_message(day, month, year, message):
    field = MemorableDateField()

    with pytest.raises(ValidationError) as refused:
        field.clean([day, month, year])

    assert refused.value.messages == [message]


def test_three_boxes_make_a_date_and_an_optional_empty_one_is_none():
    assert MemorableDateField().clean([" 7", "03", "1980 "]) == date(1980, 3, 7)
    assert MemorableDateField(required=False).clean(["", "", ""]) is None


@pytest.mark.django_db
def test_the_profile_shows_three_labelled_boxes_filled_with_the_date(client, person):
    person.date_of_birth = date(1980, 4, 2)
    person.save()
    client.force_login(person)

    page = client.get(reverse("accounts:profile")).content.decode()

    assert "<legend" in page
    assert "Date of birth" in page
    for n, (label, box, value) in enumerate((("Day", "day", "2"), ("Month", "month", "4"), ("Year", "year", "1980"))):
        assert f'<label class="form-label" for="id_date_of_birth_{n}">{label}</label>' in page
        assert f'name="date_of_birth_{box}" id="id_date_of_birth_{n}" value="{value}"' in page
    assert 'type="date"' not in page


@pytest.mark.django_db
def test_the_profile_saves_a_date_typed_in_three_boxes(client, person):
    client.force_login(person)
    data = {"first_name": "Pat", "last_name": "Person", "phone": "", **boxes("date_of_birth", "2", "4", "1980")}

    response = client.post(reverse("accounts:profile"), data)

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.date_of_birth == date(1980, 4, 2)


@pytest.mark.django_db
def test_a_wrong_date_on_the_profile_is_shown_on_the_field_and_keeps_what_was_typed(client, person):
    client.force_login(person)
    data = {"first_name": "Pat", "last_name": "Person", "phone": "", **boxes("date_of_birth", "31", "2", "1980")}

    response = client.post(reverse("accounts:profile"), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "The date of birth must be a real date." in page
    assert 'value="31"' in page
    person.refresh_from_db()
    assert person.date_of_birth is None


@pytest.mark.django_db
def test_signup_takes_an_optional_date_of_birth_in_three_boxes(client):
    client.post(reverse("account_signup"), {**SIGNUP, **boxes("date_of_birth", "27", "3", "1990")})

    assert User.objects.get(email="nina@example.org").date_of_birth == date(1990, 3, 27)


@pytest.mark.django_db
def test_adding_someone_you_care_for_asks_their_date_of_birth_in_three_boxes(client, person):
    client.force_login(person)
    url = reverse("vaccination:people")
    data = {"first_name": "Kim", "last_name": "Person", "relationship": "daughter"}

    missing = client.post(url, {**data, **boxes("date_of_birth", "", "", "")})
    future = (date.today() + timedelta(days=400)).year
    in_future = client.post(url, {**data, **boxes("date_of_birth", "1", "3", str(future))})
    client.post(url, {**data, **boxes("date_of_birth", "1", "3", "2015")})

    assert "Enter the date of birth." in missing.content.decode()
    assert "The date of birth cannot be in the future." in in_future.content.decode()
    assert person.dependents.get().date_of_birth == date(2015, 3, 1)
