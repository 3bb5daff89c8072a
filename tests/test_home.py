import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_home_invites_a_visitor_to_book_and_to_sign_in(client):
    response = client.get("/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Book your vaccination · VaxFleet</title>" in page
    assert "Book a vaccination" in page
    assert reverse("account_signup") in page
    assert reverse("account_login") in page


@pytest.mark.django_db
def test_home_greets_a_signed_in_person_without_admin_links(client, person):
    client.force_login(person)

    page = client.get("/").content.decode()

    assert "Welcome back, Pat" in page
    assert reverse("admin:index") not in page


@pytest.mark.django_db
def test_navigation_shows_the_admin_only_to_admins(client, superuser):
    client.force_login(superuser)

    assert reverse("admin:index") in client.get("/").content.decode()


@pytest.mark.django_db
def test_every_page_has_a_skip_link_and_a_main_landmark(client):
    page = client.get(reverse("account_login")).content.decode()

    assert 'href="#main"' in page
    assert '<main id="main"' in page


@pytest.mark.django_db
def test_an_unknown_url_gets_the_styled_404_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_home_refuses_post(client):
    assert client.post("/").status_code == 405


def test_favicon_ico_points_browsers_at_the_svg_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
