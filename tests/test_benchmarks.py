import pytest
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
