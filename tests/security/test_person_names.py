"""Names shown to people (desk screen, board, email greetings, CSV) refuse
control characters (CR/LF, NUL, ESC, …) and text-direction overrides on
every path that writes one: signup, profile page, the API's /me/ and
/users/, the driver pages and the driver API, client companies, the admin
and import_fleet (both through the model's validation)."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given

from accounts.models import User
from accounts.validators import validate_name
from fleet.forms import DriverForm
from fleet.models import Client, Driver
from tests.api.conftest import bearer
from tests.security.strategies import UNICODE, fuzz

pytestmark = pytest.mark.django_db

REFUSED = [
    "Pat\r\nBcc: evil@example.org",
    "Pat\nPerson",
    "Pat\x00",
    "Pat\x1b[31m",
    "Pat\x7f",
    "Ana\u202enimda",
    "\u2066Pat\u2069",
    "Pat\u200fx",
    "Pat\u2028Person",
    "Pat\tPerson",
]
ACCEPTED = [
    "José",
    "Zoë",
    "O'Brien-Smith",
    "\u0645\u062d\u0645\u062f\u200c\u0631\u0636\u0627",  # Persian, with a zero-width non-joiner
    "Nguyễn Thị",
    "李 小龙",
    "👩\u200d⚕️ Nora",
]


@pytest.mark.parametrize("name", REFUSED)
def test_the_name_validator_refuses_control_and_direction_characters(name):
    with pytest.raises(ValidationError):
        validate_name(name)


@pytest.mark.parametrize("name", ACCEPTED)
def test_the_name_validator_accepts_names_in_any_script(name):
    validate_name(name)


@pytest.mark.parametrize("name", ["Pat\r\nPerson", "Ana\u202enimda"])
def test_signup_refuses_such_a_name(client, name):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.org",
            "first_name": name,
            "last_name": "Person",
            "password1": "a-long-passphrase-2026",
            "password2": "a-long-passphrase-2026",
        },
    )

    assert response.status_code == 200
    assert "first_name" in response.context["form"].errors
    assert not User.objects.filter(email="new@example.org").exists()


@pytest.mark.parametrize("name", ["Pat\r\nPerson", "Ana\u202enimda"])
def test_the_profile_page_refuses_such_a_name(client, person, name):
    client.force_login(person)

    response = client.post("/accounts/profile/", {"first_name": "Pat", "last_name": name, "language": "en"})

    assert response.status_code == 200
    assert "last_name" in response.context["form"].errors
    person.refresh_from_db()
    assert person.last_name == "Person"


@pytest.mark.parametrize("name", ["Pat\r\nPerson", "Ana\u202enimda"])
def test_the_api_refuses_such_a_name_for_me_and_for_a_new_user(person, superuser, name):
    response = bearer(person).patch("/api/v1/me/", {"first_name": name}, format="json")
    assert response.status_code == 400
    assert "first_name" in response.json()["error"]["fields"]

    response = bearer(superuser).post(
        "/api/v1/users/",
        {"email": "new@example.org", "first_name": name, "last_name": "X", "password": "a-long-passphrase-2026"},
        format="json",
    )
    assert response.status_code == 400
    assert "first_name" in response.json()["error"]["fields"]


@pytest.mark.parametrize("name", ["Dora\r\nDriver", "Ana\u202enimda"])
def test_the_driver_form_and_api_refuse_such_a_name(fleet_manager, name):
    data = {"first_name": name, "last_name": "Driver", "licence_number": "LIC-77", "licence_expiry": "2030-01-01"}
    form = DriverForm(data={**data, "is_active": True})
    assert not form.is_valid()
    assert "first_name" in form.errors

    response = bearer(fleet_manager).post("/api/v1/drivers/", data, format="json")
    assert response.status_code == 400
    assert "first_name" in response.json()["error"]["fields"]
    assert not Driver.objects.filter(licence_number="LIC-77").exists()


def test_a_client_companys_names_are_checked_by_the_model():
    company = Client(name="Acme\u202e", contact_name="Line\nBreak")

    with pytest.raises(ValidationError) as refused:
        company.full_clean()

    assert set(refused.value.message_dict) >= {"name", "contact_name"}


@fuzz
@given(name=UNICODE)
def test_a_name_the_rule_accepts_holds_no_line_break_nul_escape_or_direction_override(name):
    try:
        validate_name(name)
    except ValidationError:
        return
    assert not set(name) & set("\r\n\x00\x1b\x85\u2028\u2029\u202e\u202d\u2066\u2067\u2068")
