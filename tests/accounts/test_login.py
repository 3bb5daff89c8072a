import pytest
from django.urls import reverse

from tests.factories import PASSWORD


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["pat@example.org", "PAT@EXAMPLE.ORG", "  Pat@Example.Org "])
def test_login_accepts_the_email_in_any_letter_case(client, person, typed):
    response = client.post(reverse("account_login"), {"login": typed, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


@pytest.mark.django_db
def test_login_with_a_wrong_password_says_so_and_signs_nobody_in(client, person):
    response = client.post(reverse("account_login"), {"login": person.email, "password": "not-the-password"})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_repeated_failed_logins_are_rate_limited_even_with_the_right_password_after(client, person):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": person.email, "password": "guess"})

    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.django_db
def test_logout_is_a_post_and_ends_the_session(client, person):
    client.force_login(person)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_the_admin_refuses_a_signed_in_person_without_admin_access(client, person):
    client.force_login(person)

    assert client.get("/admin/login/").status_code == 403


@pytest.mark.django_db
def test_the_admin_opens_for_a_superuser(client, superuser):
    client.force_login(superuser)

    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_too_many_signups_from_one_address_get_the_styled_429_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    data = {"email": "x@example.org", "first_name": "X", "last_name": "Y", "password1": "pw", "password2": "pw"}

    statuses = [client.post(reverse("account_signup"), data).status_code for _ in range(3)]

    assert statuses[-1] == 429
    response = client.post(reverse("account_signup"), data)
    assert "Too many attempts in a short time" in response.content.decode()
