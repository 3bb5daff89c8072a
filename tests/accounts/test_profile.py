import datetime

import pytest
from django.urls import reverse

URL = reverse("accounts:profile")


@pytest.mark.django_db
def test_profile_shows_the_current_details(client, person):
    client.force_login(person)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["form"].instance == person
    assert "pat@example.org" in response.content.decode()


@pytest.mark.django_db
def test_profile_saves_name_phone_and_date_of_birth(client, person):
    client.force_login(person)

    response = client.post(
        URL,
        {"first_name": "Patricia", "last_name": "Person", "phone": "+34 600 123 456", "date_of_birth": "1980-04-02"},
    )

    assert response.status_code == 302
    assert response["Location"] == URL
    person.refresh_from_db()
    assert person.first_name == "Patricia"
    assert person.phone == "+34 600 123 456"
    assert person.date_of_birth == datetime.date(1980, 4, 2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("date_of_birth", "2999-01-01"), ("phone", "call me maybe"), ("first_name", "")],
)
def test_profile_rejects_bad_input_with_a_message_on_the_field(client, person, field, value):
    client.force_login(person)
    data = {"first_name": "Pat", "last_name": "Person", "phone": "", "date_of_birth": "", field: value}

    response = client.post(URL, data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    person.refresh_from_db()
    assert person.first_name == "Pat"


@pytest.mark.django_db
def test_profile_cannot_change_the_email_or_roles(client, person):
    client.force_login(person)

    client.post(URL, {"first_name": "Pat", "last_name": "Person", "email": "x@example.org", "is_superuser": "on"})

    person.refresh_from_db()
    assert person.email == "pat@example.org"
    assert not person.is_superuser


@pytest.mark.django_db
def test_profile_sends_an_anonymous_visitor_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={URL}"


@pytest.mark.django_db
def test_profile_refuses_other_methods(client, person):
    client.force_login(person)

    assert client.put(URL).status_code == 405
