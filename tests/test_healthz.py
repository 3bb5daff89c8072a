from unittest import mock

import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, caplog):
    with mock.patch("project.views.connection.cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz/")

    assert response.status_code == 503
    assert b"connection refused" not in response.content
    assert "database did not answer" in caplog.text


def test_healthz_refuses_post(client):
    assert client.post("/healthz/").status_code == 405
