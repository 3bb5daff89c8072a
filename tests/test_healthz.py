from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from pagecache.backends import ResilientRedisCache

DATABASE_DOWN = OperationalError("could not connect to server: Connection refused")


@pytest.mark.django_db
def test_healthz_answers_200_with_the_state_of_each_part_when_the_database_answers(client):
    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, caplog):
    with mock.patch("project.views.connection.cursor", side_effect=DATABASE_DOWN):
        response = client.get("/healthz/")

    assert response.status_code == 503
    assert response.json() == {"database": "down", "cache": "ok"}
    assert b"Connection refused" not in response.content
    assert "database did not answer" in caplog.text


@pytest.mark.django_db
def test_healthz_answers_503_to_a_signed_in_browser_before_its_session_touches_the_database(client, person):
    client.force_login(person)
    with (
        mock.patch("project.views.connection.cursor", side_effect=DATABASE_DOWN),
        mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=DATABASE_DOWN),
        mock.patch("django.contrib.auth.get_user", side_effect=DATABASE_DOWN),
    ):
        response = client.get("/healthz/")

    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_healthz_reports_a_redis_that_does_not_answer_as_a_cache_down(db, client):
    dead = ResilientRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    with mock.patch("project.views.cache", dead):
        response = client.get("/healthz/")

    assert response.status_code == 200  # the site degrades, it is not down
    assert response.json() == {"database": "ok", "cache": "down"}


def test_healthz_refuses_post(client):
    assert client.post("/healthz/").status_code == 405


@pytest.mark.django_db
def test_a_database_outage_is_a_styled_503_with_retry_after_never_a_traceback(person):
    browser = Client(raise_request_exception=False)
    browser.force_login(person)

    with mock.patch("django.contrib.auth.get_user", side_effect=DATABASE_DOWN):
        response = browser.get("/appointments/")

    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "VaxFleet is briefly unavailable" in page
    assert "vaxfleet.css" in page
    assert "Connection refused" not in page
    assert "Traceback" not in page


@pytest.mark.django_db
def test_any_other_failure_is_still_the_500_page(person):
    browser = Client(raise_request_exception=False)
    browser.force_login(person)

    with mock.patch("django.contrib.auth.get_user", side_effect=RuntimeError("a bug")):
        response = browser.get("/appointments/")

    assert response.status_code == 500
    assert "Retry-After" not in response
