"""`make bench`: measure VaxFleet's pages the same way every time.

Production-mode settings (debug off, static collected, Redis cache and
sessions), a PostgreSQL database seeded at a chosen scale and kept between
runs, gunicorn on loopback with gunicorn.conf.py, and wrk as the load
generator. Every page is measured between two reference endpoints measured
in the same run (F0: no query, no template; F1: TechEmpower's fortunes), and
its ratio to F1 is the figure to compare: the machine is noisy, ratios are
steadier than raw numbers.

    .venv/bin/python bench/run.py --scale small [--duration 5]

Writes bench/results.md and bench/results.json; stops gunicorn on exit.
"""

import argparse
import datetime
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
HOST = "127.0.0.1"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def pages(fixture):
    """(name, path, who) for every page measured; `who` is a demo account
    name (the part before @example.com) or None for an anonymous visitor."""
    ids = fixture["ids"]
    pages = [
        ("home, anonymous", "/", None),
        ("home, signed in", "/", "patient"),
        ("profile", "/accounts/profile/", "patient"),
        (
            "booking: free slots of a site and day",
            f"/appointments/book/?site={ids['site']}&day={ids['day']}",
            "patient",
        ),
        ("my appointments", "/appointments/", "patient"),
        ("driver list, first page", "/fleet/drivers/", "staff"),
        ("driver list, search", "/fleet/drivers/?q=diego", "staff"),
        ("driver detail", f"/fleet/drivers/{ids['driver']}/", "staff"),
        ("truck list", "/fleet/trucks/", "staff"),
        ("truck detail", f"/fleet/trucks/{ids['truck']}/", "staff"),
        ("driver portal", "/fleet/me/", "driver"),
    ]
    if ids["appointment"]:
        pages.insert(5, ("appointment with QR code", f"/appointments/{ids['appointment']}/", "patient"))
    return pages


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, **kwargs)


def ensure_database(name, env):
    probe = subprocess.run(
        ["psql", f"{PG_SERVER}/postgres", "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
        check=True,
    )
    if probe.stdout.strip() != "1":
        run(["psql", "-q", f"{PG_SERVER}/postgres", "-c", f"CREATE DATABASE {name}"], env)


def wait_until_up(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 -- loopback URL we built
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds} s")


def preflight(url, cookie):
    """A page that redirects (to login, say) would be measured as a fast
    302: refuse to time anything that does not answer 200."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        raise SystemExit(f"{url} answered {status}, not 200: fix the page list or the seed data")


def wrk(url, cookie, duration, connections, threads):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "-s", str(BENCH / "wrk_report.lua"), url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    report = json.loads(output.strip().splitlines()[-1])
    seconds = report["duration_us"] / 1e6
    errors = sum(report[key] for key in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
    return {
        "rps": round(report["requests"] / seconds, 1),
        "p50_ms": round(report["p50_us"] / 1000, 2),
        "p95_ms": round(report["p95_us"] / 1000, 2),
        "p99_ms": round(report["p99_us"] / 1000, 2),
        "requests": report["requests"],
        "errors": errors,
    }


def write_results(results, meta):
    (BENCH / "results.json").write_text(json.dumps({"meta": meta, "pages": results}, indent=2) + "\n")
    lines = [
        f"# VaxFleet benchmark, {meta['scale']} scale",
        "",
        f"{meta['date']} on {meta['machine']}; gunicorn {meta['gunicorn']}; wrk {meta['wrk']}, "
        f"{meta['duration_s']} s per measurement. Ratios are to F0/F1 measured just before each page.",
        "",
        "| page | req/s | p50 ms | p95 ms | p99 ms | errors | ÷ F0 | ÷ F1 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results:
        lines.append(
            f"| {row['page']} | {row['rps']:.0f} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['p99_ms']:.1f} "
            f"| {row['errors']} | {row['ratio_f0']:.2f} | {row['ratio_f1']:.2f} |"
        )
    (BENCH / "results.md").write_text("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["small", "large"], default="small")
    parser.add_argument("--duration", type=int, default=5, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")

    database = f"vaxfleet_bench_{args.scale}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"{PG_SERVER}/{database}",
        "REDIS_URL": REDIS_URL,
        "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_STAFF_MFA_REQUIRED": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "VAXFLEET_BENCH_ENDPOINTS": "1",
        "PORT": str(args.port),
    }
    python = sys.executable
    ensure_database(database, env)
    run([python, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([python, "manage.py", "seed_demo", "--force"], env, stdout=subprocess.DEVNULL)
    run([python, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    fixture = json.loads(run([python, "manage.py", "bench_sessions"], env, capture_output=True, text=True).stdout)

    server = subprocess.Popen(
        [python, "-m", "gunicorn", "project.wsgi", "--config", "gunicorn.conf.py", "--access-logfile", "/dev/null"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://{HOST}:{args.port}"
    try:
        wait_until_up(f"{base}/healthz/")
        measure = lambda path, cookie="": wrk(f"{base}{path}", cookie, args.duration, args.connections, args.threads)  # noqa: E731
        for path in ("/bench/f0/", "/bench/f1/"):
            preflight(f"{base}{path}", "")
            wrk(f"{base}{path}", "", 2, args.connections, args.threads)  # warm-up
        results = []
        for name, path, who in pages(fixture):
            cookie = f"{fixture['cookie_name']}={fixture['sessions'][who]}" if who else ""
            preflight(f"{base}{path}", cookie)
            f0, f1, page = measure("/bench/f0/"), measure("/bench/f1/"), measure(path, cookie)
            row = {"page": name, "path": path, "who": who or "anonymous", **page}
            row["ratio_f0"] = round(page["rps"] / f0["rps"], 3)
            row["ratio_f1"] = round(page["rps"] / f1["rps"], 3)
            row["f0_rps"], row["f1_rps"] = f0["rps"], f1["rps"]
            results.append(row)
            print(f"{name:<32} {page['rps']:>8.0f} req/s  p99 {page['p99_ms']:>6.1f} ms  ÷F1 {row['ratio_f1']:.2f}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    gunicorn_conf = f"{env.get('WEB_CONCURRENCY', '2')} workers x {env.get('GUNICORN_THREADS', '4')} threads"
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False).stdout.split()[:2]
    meta = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "scale": args.scale,
        "gunicorn": gunicorn_conf,
        "wrk": f"{' '.join(wrk_version)}, {args.threads} threads, {args.connections} connections",
        "duration_s": args.duration,
    }
    write_results(results, meta)
    print(f"wrote {BENCH / 'results.md'} and {BENCH / 'results.json'}")


if __name__ == "__main__":
    main()
