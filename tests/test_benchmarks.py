import importlib.util
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.urls import include, path

from accounts.models import User
from benchmarks import fixture, seeding
from benchmarks.models import BenchSeed
from benchmarks.scales import SCALES
from vaccination.models import Appointment, Slot

# tools/bench/run.py is a script, not a package: load it under a name of its own.
_RUN = Path(__file__).resolve().parent.parent / "tools" / "bench" / "run.py"
_spec = importlib.util.spec_from_file_location("bench_run", _RUN)
bench_run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_run)

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

    call_command(
        "bench_sessions", "--desk-users", "2", "--check-ins", "5", "--bookers", "3", "--racers", "4", stdout=out
    )

    fixture = json.loads(out.getvalue())
    assert set(fixture["sessions"]) >= {"patient", "staff", "fleet", "driver", "client", "admin"}
    assert all(fixture["ids"][name] for name in ("site", "day", "appointment", "driver", "truck"))
    client.cookies[fixture["cookie_name"]] = fixture["sessions"]["patient"]
    assert "Welcome back, Pat" in client.get("/").content.decode()


@pytest.mark.django_db
def test_seeding_loads_a_consistent_scale_once():
    seeding.seed(scale="small", drivers=30, appointments=400, log=lambda line: None)

    assert BenchSeed.objects.get().scale == "small"
    assert User.objects.filter(email__endswith="@bench.example").count() == 40
    assert Appointment.objects.count() == 400
    seats = Slot.objects.annotate(
        taken=Count("appointments", filter=~Q(appointments__status=Appointment.Status.CANCELLED))
    )
    assert not seats.exclude(booked_count=F("taken")).exists()
    assert not Slot.objects.filter(booked_count__gt=F("capacity")).exists()
    booked = Appointment.objects.filter(status=Appointment.Status.BOOKED)
    assert booked.count() == booked.values("person").distinct().count()
    assert not Appointment.objects.filter(dose_given_at__isnull=False).exclude(status="checked_in").exists()

    seeding.seed(scale="small", drivers=30, appointments=400, log=lambda line: None)

    assert Appointment.objects.count() == 400


@pytest.mark.django_db
def test_seeding_refuses_to_mix_two_scales_in_one_database():
    seeding.seed(scale="small", drivers=10, appointments=100, log=lambda line: None)

    with pytest.raises(RuntimeError, match="another scale"):
        seeding.seed(scale="large", drivers=10, appointments=100, log=lambda line: None)


def test_the_large_plan_keeps_a_clinic_day_the_size_of_the_small_one():
    small, large = seeding.plan(**SCALES["small"]), seeding.plan(**SCALES["large"])

    assert (small["sites"], large["sites"]) == (2, 20)
    assert large["people"] == 100_000
    assert large["future_appointments"] <= large["people"] // 2
    assert large["past_days"] > small["past_days"]


def test_bench_codes_never_repeat():
    codes = {seeding.bench_code(n) for n in range(20_000)}

    assert len(codes) == 20_000


@pytest.mark.django_db
def test_the_bench_fixture_books_todays_desk_and_starts_afresh_each_run(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())

    first = fixture.build(desk_users=2, check_ins=6, bookers=3, racers=4)
    Appointment.objects.filter(code=first["checkin"]["codes"][0]).update(status="cancelled")
    second = fixture.build(desk_users=2, check_ins=6, bookers=3, racers=4)

    desk = Appointment.objects.filter(code__in=second["checkin"]["codes"])
    assert desk.count() == 6
    assert set(desk.values_list("status", flat=True)) == {"booked"}
    assert Slot.objects.get(pk=second["contention"]["slot"]).capacity == fixture.CONTENTION_SEATS
    assert len(second["contention"]["sessions"]) == 4
    assert len(second["booking"]["sessions"]) == 3


def test_the_paced_run_leaves_each_connection_the_pause_that_gives_seventy_percent_of_the_peak():
    # 8 connections at 70% of 400 req/s: one request per connection every 28.6 ms, 8.6 of them waiting.
    assert bench_run.paced_delay_ms(400, 20, 8) == 9
    assert bench_run.paced_delay_ms(0, 20, 8) == 0


def test_the_results_table_marks_missed_targets_and_compares_the_scales():
    row = {
        "page": "truck list",
        "kind": "read",
        "rps": 100,
        "p50_ms": 5,
        "p95_ms": 9,
        "p99_ms": 12,
        "errors": 0,
        "ratio_f0": 0.1,
        "ratio_f1": 0.4,
        "paced": {"p99_ms": 150.0, "rps": 70},
    }
    meta = {
        "scale": "large",
        "date": "2026-11-22",
        "machine": "x86_64, 2 cores",
        "load_average": "1.00",
        "gunicorn": "2 workers x 4 threads",
        "wrk": "wrk 4.1.0",
        "duration_s": 5,
        "reference_s": 3,
        "data": "100 drivers",
        "connections": 8,
    }
    small = {"meta": {**meta, "scale": "small"}, "pages": [{**row, "ratio_f1": 0.8}]}
    large = {"meta": meta, "pages": [row]}

    table = bench_run.render_markdown(large, {"small": small, "large": large})

    assert "| truck list | 100 | 5.0 | 9.0 | 12.0 | 0 | 0.10 | 0.40 | 0.5 **missed** | **150.0 (70)** |" in table
    assert "| truck list | 0.80 | 0.40 | **2.00** |" in table


def test_a_page_whose_issue_set_its_own_target_is_judged_by_it_and_the_table_names_every_figure():
    meta = {
        "scale": "small",
        "date": "2026-11-30",
        "machine": "x86_64, 2 cores",
        "load_average": "1.00",
        "gunicorn": "2 workers x 4 threads",
        "wrk": "wrk 4.1.0",
        "duration_s": 3,
        "reference_s": 2,
        "data": "100 drivers",
        "connections": 8,
    }
    figures = {"rps": 300, "p50_ms": 20, "p95_ms": 40, "p99_ms": 60, "errors": 0, "ratio_f0": 0.1}
    checkin = {**figures, "page": "check-in POST (a new code each)", "kind": "post", "ratio_f1": 0.25}
    booking = {**figures, "page": "booking POST (a new person each)", "kind": "post", "ratio_f1": 0.25}
    data = {"meta": meta, "pages": [checkin, booking]}

    table = bench_run.render_markdown(data, {"small": data})

    # Issue 15 set the check-in's target at 0.2; every other POST keeps issue 7's 0.3.
    assert "| check-in POST (a new code each) | 300 | 20.0 | 40.0 | 60.0 | 0 | 0.10 | 0.25 | 0.2 met | — |" in table
    assert (
        "| booking POST (a new person each) | 300 | 20.0 | 40.0 | 60.0 | 0 | 0.10 | 0.25 | 0.3 **missed** | — |"
        in table
    )
    assert "p99 under 100 ms" in table
    assert "{" not in table
