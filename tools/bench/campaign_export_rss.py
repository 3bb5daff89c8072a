"""Peak memory of the campaign's CSV (and FHIR) export, at growing sizes.

For each size it seeds a PostgreSQL database of its own once (the bench
seeding: past appointments checked in with a dose recorded, no-shows,
cancellations; about four in five past appointments carry a dose), then, in a fresh
Python process, streams the export of every dose through the real view (a
signed-in campaign lead, the full middleware stack) into nothing, and reports
that process's peak resident set size before and after. Flat memory means the
peak does not grow with the number of doses.

    .venv/bin/python tools/bench/campaign_export_rss.py --sizes 20000,200000 [--format csv|fhir]

Databases: BENCH_PG_SERVER (default postgres://postgres@127.0.0.1:5432) /
vaxfleet_campaign_rss_<size>; drop them when done.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")


def environment(size: int) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DJANGO_DEBUG": "0",
        "VAXFLEET_BENCH_TOOLS": "1",  # bench_seed lives in the benchmarks app
        "DJANGO_SECRET_KEY": "campaign-export-rss-measurement-only-not-a-real-secret",
        "DJANGO_STAFF_MFA_REQUIRED": "0",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "DATABASE_URL": f"{PG_SERVER}/vaxfleet_campaign_rss_{size}",
    }


def prepare(size: int) -> None:
    """Create, migrate and seed the size's database (a second run reuses it)."""
    env = environment(size)
    python = sys.executable
    created = subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", f"vaxfleet_campaign_rss_{size}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if created.returncode and "already exists" not in created.stderr:
        raise SystemExit(created.stderr)
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    # The bench seeding records doses as the demo nurse: without her nobody is checked in.
    subprocess.run(
        [python, "manage.py", "seed_demo", "--force"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    subprocess.run(
        [python, "manage.py", "bench_seed", "--scale", "small", "--drivers", "10", "--appointments", str(size)],
        cwd=ROOT,
        env=env,
        check=True,
    )


def measure(size: int, kind: str) -> dict:
    """Run the export in a fresh process; return its figures."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind],
        cwd=ROOT,
        env=environment(size),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(kind: str) -> None:
    """In the measured process: one streamed export of every dose, through the view."""
    import resource
    import time

    sys.path.insert(0, str(ROOT))
    from datetime import timedelta

    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.test import Client

    from accounts.models import User
    from accounts.roles import Role
    from vaccination.models import Appointment

    lead = User.objects.filter(groups__name=Role.CAMPAIGN_LEAD.value).first()
    if lead is None:
        lead = User.objects.create_user(email="rss-lead@example.org")
        lead.groups.add(Group.objects.get(name=Role.CAMPAIGN_LEAD.value))
    given = Appointment.objects.filter(dose_given_at__isnull=False)
    first = given.order_by("dose_given_at").values_list("dose_given_at", flat=True).first()
    last = given.order_by("-dose_given_at").values_list("dose_given_at", flat=True).first()
    client = Client()
    client.force_login(lead)
    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    url = "/campaign/export/doses.csv" if kind == "csv" else "/campaign/export/doses.fhir.json"
    started = time.perf_counter()
    # A day either side: the range is in each clinic's local days.
    start, end = first.date() - timedelta(days=1), last.date() + timedelta(days=1)
    response = client.get(url, {"start": start.isoformat(), "end": end.isoformat()})
    if response.status_code != 200:
        raise SystemExit(f"the export answered {response.status_code}")
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    print(
        json.dumps(
            {
                "doses": given.count(),
                "rows": lines - 1 if kind == "csv" else None,
                "megabytes": round(size / 1e6, 1),
                "seconds": round(time.perf_counter() - started, 1),
                "rss_before_mb": round(before_kb / 1024, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,200000", help="appointments per database, comma list")
    parser.add_argument("--format", choices=["csv", "fhir"], default="csv")
    parser.add_argument("--child", choices=["csv", "fhir"], help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.child)
        return
    for size in [int(s) for s in options.sizes.split(",")]:
        prepare(size)
        figures = measure(size, options.format)
        print(
            f"{size:>9,} appointments: {figures['doses']:>9,} doses, {figures['megabytes']:>7} MB of {options.format} "
            f"in {figures['seconds']} s; peak RSS {figures['peak_rss_mb']} MB "
            f"(after start-up {figures['rss_before_mb']} MB)"
        )


if __name__ == "__main__":
    main()
