import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import include, path

urlpatterns = [path("bench/", include("benchmarks.urls"))]


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_f0_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/bench/f0/")

    assert response.status_code == 200
    assert response.content == b"Hello, World!"


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_f1_renders_the_twelve_fortunes_plus_one_sorted_and_escaped_in_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/bench/f1/")

    page = response.content.decode()
    assert page.count("<tr><td>") == 13
    assert "&lt;script&gt;" in page
    assert "<script>" not in page
    assert page.index("A bad random number") < page.index("Additional fortune")


@pytest.mark.django_db
def test_the_reference_endpoints_are_not_served_unless_switched_on(client):
    assert client.get("/bench/f0/").status_code == 404


@pytest.mark.django_db
def test_bench_sessions_prints_a_working_session_for_each_demo_account(client, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()

    call_command("bench_sessions", stdout=out)

    fixture = json.loads(out.getvalue())
    assert set(fixture["sessions"]) >= {"patient", "staff", "fleet", "driver", "client", "admin"}
    assert all(fixture["ids"][name] for name in ("site", "day", "appointment", "driver", "truck"))
    client.cookies[fixture["cookie_name"]] = fixture["sessions"]["patient"]
    assert "Welcome back, Pat" in client.get("/").content.decode()
