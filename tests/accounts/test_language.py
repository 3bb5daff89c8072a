import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SWITCH = reverse("set_language")


def test_a_spanish_browser_gets_spanish_pages(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9,en;q=0.5")

    page = response.content.decode()
    assert '<html lang="es">' in page
    assert "Vacúnese cerca de usted" in page
    assert "Get vaccinated near you" not in page


def test_the_footer_offers_every_language_in_a_form_to_set_language(client):
    page = client.get(reverse("vaccination:book") + "?day=2030-01-01").content.decode()

    assert f'action="{SWITCH}"' in page
    assert 'name="next" value="/appointments/book/?day=2030-01-01"' in page
    assert '<option value="es" lang="es">Español</option>' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_switching_language_as_a_visitor_sets_the_cookie_and_goes_back(client):
    response = client.post(SWITCH, {"language": "es", "next": "/appointments/book/"})

    assert response.status_code == 302
    assert response["Location"] == "/appointments/book/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert "Reserve su vacunación" in client.get(reverse("home")).content.decode()


def test_switching_language_signed_in_keeps_it_on_the_user_for_every_device(client, person):
    client.force_login(person)

    client.post(SWITCH, {"language": "es", "next": "/"})

    person.refresh_from_db()
    assert person.language == "es"
    client.cookies.clear()
    client.force_login(person)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Hola de nuevo, Pat" in page


def test_switching_to_a_language_we_do_not_have_changes_nothing(client, person):
    person.language = "en"
    person.save()
    client.force_login(person)

    response = client.post(SWITCH, {"language": "fr", "next": "/"})

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.language == "en"


def test_set_language_takes_only_post(client):
    assert client.get(SWITCH).status_code == 405


def test_the_profile_form_edits_the_language(client, person):
    client.force_login(person)

    response = client.post(
        reverse("accounts:profile"), {"first_name": "Pat", "last_name": "Person", "language": "es"}, follow=True
    )

    person.refresh_from_db()
    assert person.language == "es"
    assert "Su perfil se ha guardado." in response.content.decode()


def test_signing_in_fills_an_empty_language_from_the_browser(client, person):
    person.language = ""
    person.save()

    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="es")

    person.refresh_from_db()
    assert person.language == "es"


def test_signing_in_keeps_a_language_the_person_chose(client, person):
    person.language = "en"
    person.save()

    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="es")

    person.refresh_from_db()
    assert person.language == "en"


def test_a_staff_member_still_setting_up_two_factor_can_switch_language(client, clinic_staff, settings):
    settings.STAFF_MFA_REQUIRED = True
    client.force_login(clinic_staff)

    response = client.post(SWITCH, {"language": "es", "next": "/accounts/2fa/"})

    assert response["Location"] == "/accounts/2fa/"
    clinic_staff.refresh_from_db()
    assert clinic_staff.language == "es"
