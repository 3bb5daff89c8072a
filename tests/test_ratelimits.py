"""Our actions' rate limits (ratelimits): the settings' limits, held
over a sliding minute, per person or per address; allauth's own actions keep
allauth's counting."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

import ratelimits
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = datetime(2030, 5, 6, 10, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def limits(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "book": "3/m/user", "hold_seat": "2/m/ip"}


def booking_post(user):
    request = RequestFactory().post("/appointments/book/")
    request.user = user
    return request


def attempts(request, action, n):
    return [ratelimits.consume(request, action=action) for _ in range(n)]


def test_past_the_limit_a_person_is_refused_until_the_minute_has_slid_by():
    post = booking_post(UserFactory())
    with time_machine.travel(START + timedelta(seconds=50), tick=False) as clock:
        assert attempts(post, "book", 4) == [True, True, True, False]
        # Ten seconds later a new fixed window began, but the sliding minute
        # still holds the burst of a moment ago.
        clock.move_to(START + timedelta(seconds=65))
        assert attempts(post, "book", 1) == [False]
        # Two minutes on, nothing of it is left.
        clock.move_to(START + timedelta(minutes=3))
        assert attempts(post, "book", 3) == [True, True, True]


def test_the_limit_is_per_person_and_per_address():
    with time_machine.travel(START, tick=False):
        assert attempts(booking_post(UserFactory()), "book", 4)[-1] is False
        assert attempts(booking_post(UserFactory()), "book", 1) == [True]

        visitor = RequestFactory().post("/appointments/hold/", REMOTE_ADDR="203.0.113.7")
        neighbour = RequestFactory().post("/appointments/hold/", REMOTE_ADDR="203.0.113.8")
        for request in (visitor, neighbour):
            request.user = AnonymousUser()
        assert attempts(visitor, "hold_seat", 3) == [True, True, False]
        assert attempts(neighbour, "hold_seat", 1) == [True]


def test_reading_a_page_is_not_counted():
    get = RequestFactory().get("/appointments/book/")
    get.user = UserFactory()
    with time_machine.travel(START, tick=False):
        assert all(attempts(get, "book", 10))


def test_a_refused_attempt_answers_allauths_429_page():
    post = booking_post(UserFactory())
    with time_machine.travel(START, tick=False):
        answers = [ratelimits.consume_or_429(post, action="book") for _ in range(4)]
    assert answers[:3] == [None, None, None]
    assert answers[3].status_code == 429
