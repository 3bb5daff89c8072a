"""Redis stopped in the middle of use: sign-in, booking and check-in keep
working, sessions survive, and everything resumes when it is back (issue 15).

A real redis-server of the test's own, on a free port, stopped and started
again: CI has it; elsewhere the test skips and says why."""

import shutil
import socket
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache, caches
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from pagecache import backends
from tests.factories import PASSWORD, UserFactory
from tests.vaccination.conftest import make_slot, site, vaccine  # noqa: F401 -- fixtures
from vaccination.models import Appointment

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed"),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Redis:
    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def redis():
    server = Redis()
    server.start()
    caches = {
        "default": {
            "BACKEND": "pagecache.backends.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "KEY_PREFIX": "test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        },
    }
    with (
        override_settings(CACHES=caches, STAFF_MFA_REQUIRED=False),
        # Retry at once in the test rather than every few seconds.
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(backends, "RETRY_AFTER", 0.0)
        yield server
    if server.process.poll() is None:
        server.stop()


MADRID_TEN = datetime.fromisoformat("2030-05-06T10:00:00+02:00")


@pytest.fixture
def day(site, make_slot, clinic_staff):  # noqa: F811 -- site is the fixture imported above
    site.staff.add(clinic_staff)
    with time_machine.travel(MADRID_TEN, tick=True):
        yield {
            "today": make_slot(start=MADRID_TEN + timedelta(minutes=30), capacity=20),
            "tomorrow": make_slot(start=MADRID_TEN + timedelta(days=1), capacity=20),
        }


def sign_in(email):
    browser = Client(raise_request_exception=False)
    response = browser.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return browser


def book(browser, slot):
    response = browser.post(reverse("vaccination:book"), {"slot": slot.pk})
    assert response.status_code == 302, response.status_code
    return Appointment.objects.filter(slot=slot).latest("pk")


def check_in(desk, appointment):
    response = desk.post(reverse("clinic:checkin"), {"code": appointment.code, "site": appointment.slot.site_id})
    assert response.status_code == 200, response.status_code
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CHECKED_IN


def walk(desk, day, *, early, late):
    """Someone signs in and books; someone booked for today is checked in."""
    booker = sign_in(UserFactory().email)
    book(booker, day["tomorrow"])
    arriving = Client(raise_request_exception=False)
    arriving.force_login(UserFactory())
    check_in(desk, book(arriving, day["today"]))
    # An earlier session is still signed in, and the pages that read the cache answer.
    for path in ("/", reverse("vaccination:appointment-list"), reverse("vaccination:book")):
        assert early.get(path).status_code == 200, path
    assert late.get(reverse("vaccination:appointment-list")).status_code == 200


def test_a_redis_outage_degrades_the_site_and_it_recovers_without_a_restart(redis, day, clinic_staff, caplog):
    desk = Client(raise_request_exception=False)
    desk.force_login(clinic_staff)
    early = sign_in(UserFactory().email)
    walk(desk, day, early=early, late=early)
    assert cache.get("allauth-check") is None  # Redis answers

    redis.stop()
    during = sign_in(UserFactory().email)
    walk(desk, day, early=early, late=during)
    assert "The cache (Redis) is unreachable" in caplog.text
    assert caplog.text.count("The cache (Redis) is unreachable") == 1  # said once, not per request
    health = Client().get("/healthz/")
    assert (health.status_code, health.json()) == (200, {"database": "ok", "cache": "down"})

    redis.start()  # an empty Redis on the same address, as after a restart
    walk(desk, day, early=early, late=during)
    assert "The cache (Redis) is back" in caplog.text
    assert Client().get("/healthz/").json() == {"database": "ok", "cache": "ok"}
    cache.set("after", "it works")
    assert cache.get("after") == "it works"


def test_rate_limits_count_per_process_while_redis_is_down(redis, day):
    redis.stop()
    person = UserFactory()
    browser = Client(raise_request_exception=False)
    for _ in range(5):
        browser.post(reverse("account_login"), {"login": person.email, "password": "wrong"})

    response = browser.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    assert "_auth_user_id" not in browser.session
    assert "Too many failed login attempts" in response.content.decode()


def test_the_redis_cache_shares_one_client_between_calls_and_threads():
    """Django's client made a new redis.Redis for every call (a sixth of a
    cache-heavy page's time); ours keeps one per connection pool, which
    redis-py makes safe to share between threads."""
    import threading

    from pagecache.backends import ResilientRedisCache

    shared = ResilientRedisCache("redis://127.0.0.1:1/0", {})
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(shared._cache.get_client(write=True))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(client) for client in seen}) == 1
    assert shared._cache.get_client(write=False) is seen[0]  # one server: reads and writes share its pool


def test_writes_and_reads_of_one_round_trip_read_what_they_wrote_and_give_nothing_while_redis_is_down(redis):
    from django.core.cache import cache

    cache.set("old", "kept", timeout=None)
    added, found, left = cache.set_many_add_and_get_many({"gen": "new"}, {"window": 5}, ["gen", "old", "absent"])
    assert added == {"window"}
    assert found == {"gen": "new", "old": "kept"}
    assert 4 < left["window"] <= 5
    added, _found, left = cache.set_many_add_and_get_many({}, {"window": 5}, [])
    assert added == set()  # the window was open already, and closes when it would have
    assert 0 < left["window"] <= 5

    redis.stop()
    assert cache.set_many_add_and_get_many({"gen": "newer"}, {"window": 5}, ["gen"]) == (set(), {}, {})


def test_the_booking_limit_is_shared_through_redis_and_kept_per_process_while_it_is_down(redis, person, settings):
    """Two app servers (two caches on one Redis) count one person's bookings
    together; with Redis down each still refuses past the limit on its own."""
    from django.test import RequestFactory

    import ratelimits
    from pagecache.backends import ResilientRedisCache

    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "book": "3/m/user"}
    servers = [ResilientRedisCache(f"redis://127.0.0.1:{redis.port}/0", {}) for _ in range(2)]
    post = RequestFactory().post("/appointments/book/")
    post.user = person

    def attempt(n):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(ratelimits, "cache", servers[n % 2])
            return ratelimits.consume(post, action="book")

    with time_machine.travel(datetime(2030, 5, 6, 10, 0, 1, tzinfo=UTC), tick=False):
        assert [attempt(n) for n in range(5)] == [True, True, True, False, False]
        redis.stop()
        other = RequestFactory().post("/appointments/book/")
        other.user = UserFactory()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(ratelimits, "cache", servers[0])
            assert [ratelimits.consume(other, action="book") for _ in range(5)] == [True, True, True, False, False]


def test_a_page_part_another_process_drew_is_kept_here_only_as_long_as_redis_keeps_it(redis, settings, monkeypatch):
    from pagecache import fragments

    settings.DEBUG = False
    key = fragments.fragment_key("test-other", ("fleet",))
    cache.set(key, "drawn by the other server", 30)
    monkeypatch.setattr(fragments, "_clock", lambda: 1000.0)

    value = fragments.cached_value("test-other", ("fleet",), (), lambda: pytest.fail("drawn again"))

    assert value == "drawn by the other server"
    _kept_at, expires, _data = fragments._local[key]
    assert 1000.0 + 25 < expires <= 1000.0 + 30


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # no transaction, as a booking is written
def test_a_window_another_server_opened_is_known_here_until_it_closes_and_asked_for_again_after(redis, monkeypatch):
    """During a burst of bookings every seat taken asks for the free seats'
    window (bump_at_most_every). A process that learnt when the open window
    closes asks Redis nothing more until then; after that it asks again, and
    the change that opens the next window bumps the generation."""
    from pagecache import fragments

    other_server = backends.ResilientRedisCache(f"redis://127.0.0.1:{redis.port}/0", {"KEY_PREFIX": "test"})
    assert other_server.add("fragment:bumped-recently:seats", 1, timeout=1)
    (before,) = fragments.generations("seats")
    sent = []
    here = caches["default"]
    pipelined = here._pipelined
    monkeypatch.setattr(here, "_pipelined", lambda commands: sent.append(commands) or pipelined(commands))
    now = time.time()
    monkeypatch.setattr(fragments, "_clock", lambda: now)

    for _booking in range(3):
        with fragments.together():
            fragments.bump_at_most_every(1, "seats")

    assert len(sent) == 1  # the first learnt that the window is open, and until when
    assert fragments.generations("seats") == [before]  # changes inside a window wait for the copies to expire

    time.sleep(1.1)  # the window closes in Redis ...
    now += 1.1  # ... and here
    with fragments.together():
        fragments.bump_at_most_every(1, "seats")

    assert len(sent) == 3  # asked again, opened a new window, then bumped
    assert fragments.generations("seats") != [before]
