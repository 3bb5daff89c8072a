"""`make bench`: measure VaxFleet's pages the same way every time.

Production-mode settings (debug off, static collected, Redis cache and
sessions), a PostgreSQL database per scale seeded once and kept
(`bench_seed`: small = 1,000 drivers / 10,000 appointments, large =
100,000 / 1,000,000), a fresh copy of it for each run (no run measures the
rows an earlier run's POSTs added), gunicorn on loopback with
gunicorn.conf.py, and wrk as the load generator. Each page is measured right after the two reference
endpoints (F0: no query, no template; F1: TechEmpower's fortunes), and its
ratio to F1 is the figure to compare: the machine is noisy, ratios are
steadier than raw numbers.

Then: p99 at about 70% of each page's peak rate (wrk, each connection
pausing between requests), booking contention (200 clients, one slot of 10
seats), sign-in under concurrency (Argon2) with the peak memory of each
worker, and the peak number of PostgreSQL connections against the budget.

    .venv/bin/python tools/bench/run.py --scale small [--duration 5]

Writes tools/bench/results.md and tools/bench/results.json (and a copy per scale,
results-small.*, results-large.*; the table compares the scales when both
exist); stops gunicorn and its workers on exit.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "tools" / "bench"
sys.path.insert(0, str(ROOT))

from benchmarks.scales import DATA_VERSION  # noqa: E402 -- after the path is set

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
HOST = "127.0.0.1"
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 -- the published demo password (accounts/demo.py)
# Targets of issue 7, as ratios to F1's requests per second.
READ_TARGET, POST_TARGET, P99_TARGET_MS, GROWTH_LIMIT = 0.5, 0.3, 100.0, 1.5
JUST_TAKEN = "This time was just taken"
# Where a booking POST that booked sends the person: the confirmation panel.
BOOKED_LOCATION = re.compile(r"/appointments/(\d+)/booked/$")
# A web worker's memory budget (gunicorn.conf.py, docs/deploy.md): the run fails past it.
MEMORY_BUDGET_MB = float(os.environ.get("WEB_MEMORY_BUDGET_MB", "256"))
APP_NAME = "vaxfleet-bench-app"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def pages(fixture):
    """(name, path, who) for every page read; `who` names a session of the
    fixture (a demo account, or "person": a bench person with a history)."""
    ids = fixture["ids"]
    return [
        ("home, anonymous", "/", None),
        ("home, signed in", "/", "patient"),
        ("booking: free slots of a site and day", f"/appointments/book/?site={ids['site']}&day={ids['day']}", "person"),
        ("my appointments", "/appointments/", "person"),
        ("appointment with QR code", f"/appointments/{ids['appointment']}/", "person"),
        ("day board", f"/clinic/today/?site={ids['site']}", "staff"),
        ("driver list, first page", "/fleet/drivers/", "staff"),
        ("driver list, deep page", "/fleet/drivers/?page=40", "staff"),
        ("driver list, search", f"/fleet/drivers/?q={urllib.parse.quote(ids['search'])}", "staff"),
        ("truck list", "/fleet/trucks/", "staff"),
        ("driver detail", f"/fleet/drivers/{ids['driver']}/", "staff"),
        # The last 30 days (the page's default), every clinic: aggregates in the database.
        ("campaign overview, 30 days", "/campaign/", "lead"),
        ("clinic days at risk", "/fleet/readiness/", "fleet"),
    ] + (
        [("truck page, a year of readings", f"/fleet/trucks/{fixture['coldchain']['year_truck']}/", "fleet")]
        if fixture.get("coldchain")
        else []
    )


def server_env(database, *, workers=2, threads=4, port=18765):
    """The environment of the measured app: production settings on the
    scale's database and Redis, with the bench endpoints switched on."""
    return {
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
        # A booking owes its confirmation as an outbox row and hands it to the
        # broker (Redis) after commit, as in production; no worker runs here
        # (it has its own dyno there), so the mail is never composed in the
        # measured processes. Were one started, its mail would be dropped.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        # wrk plays the proxy for the sign-in run: each client its own address.
        "ALLAUTH_TRUSTED_PROXY_COUNT": "1",
        "VAXFLEET_BENCH_ENDPOINTS": "1",
        "VAXFLEET_BENCH_TOOLS": "1",
        # The temperature POST sends hundreds of calls a second with one token:
        # the API's per-token limit is not what it measures.
        "VAXFLEET_API_RATE_TOKEN": "1000000/min",
        "VAXFLEET_API_RATE_USER": "1000000/min",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_THREADS": str(threads),
        "PORT": str(port),
    }


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, **kwargs)


def psql(database, sql):
    result = subprocess.run(
        ["psql", f"{PG_SERVER}/{database}", "-Atc", sql], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else None


def ensure_database(name):
    """The scale's database, rebuilt when it holds bench data of another version."""
    exists = psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    if exists:
        version = psql(name, "SELECT max(version) FROM benchmarks_benchseed")
        if version in (None, "") or int(version) == DATA_VERSION:
            return
        print(f"{name} holds bench data version {version}, not {DATA_VERSION}: rebuilding it")
        psql("postgres", f'DROP DATABASE "{name}" WITH (FORCE)')
    psql("postgres", f'CREATE DATABASE "{name}"')


def fresh_copy(seeded, name):
    """`name` made anew as a copy of `seeded`, so that every run measures the
    same rows: a run's POSTs add thousands of bookings, check-ins, audit
    events and dead row versions, and a database reused from run to run
    would measure each run on more of them than the last."""
    psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    # FILE_COPY (PostgreSQL 15+) copies the files after a checkpoint instead of writing them all to the WAL.
    strategy = " STRATEGY FILE_COPY" if int(psql("postgres", "SHOW server_version_num") or 0) >= 150000 else ""
    if psql("postgres", f'CREATE DATABASE "{name}" TEMPLATE "{seeded}"{strategy}') is None:
        raise SystemExit(f"Could not copy {seeded} to {name}")


def port_free(port):
    """Refuse to start when something else answers on the port: we would measure it."""
    with socket.socket() as probe:
        if probe.connect_ex((HOST, port)) == 0:
            raise SystemExit(f"Something already listens on {HOST}:{port}; pick another with --port")


def wait_until_up(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 -- loopback URL we built
                if response.status == 200:
                    return
        except OSError:  # refused, reset or timed out while the workers boot
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


def wrk(
    url, *, cookie="", duration=5, connections=8, threads=2, script="wrk_report.lua", args=(), env=None, timeout=10
):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", f"--timeout={timeout}s"]
    cmd += ["-s", str(BENCH / script), url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    if args:
        cmd += ["--", *args]
    # /proc is walked outside the window the machine's busy time is counted in.
    by_program_before = cpu_by_program()
    busy_before = machine_busy_seconds()
    output = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}
    ).stdout
    busy = machine_busy_seconds() - busy_before
    by_program = {name: seconds - by_program_before.get(name, 0.0) for name, seconds in cpu_by_program().items()}
    lines = [line for line in output.strip().splitlines() if line.startswith("{")]
    report = json.loads(lines[-1])
    seconds = report["duration_us"] / 1e6
    errors = sum(report[key] for key in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
    result = {
        "rps": round(report["requests"] / seconds, 1),
        "p50_ms": round(report["p50_us"] / 1000, 2),
        "p95_ms": round(report["p95_us"] / 1000, 2),
        "p99_ms": round(report["p99_us"] / 1000, 2),
        "requests": report["requests"],
        "errors": errors,
        # The whole machine's CPU (server, database, Redis, wrk) per request:
        # steadier than the rate when another process takes a share of the cores.
        "cpu_ms": round(busy * 1000 / report["requests"], 3) if report["requests"] else None,
    }
    if report["requests"]:
        result["cpu_ms_by_program"] = {
            name: round(seconds * 1000 / report["requests"], 3)
            for name, seconds in sorted(by_program.items(), key=lambda item: -item[1])
            if seconds > 0
        }
    if len(lines) > 1:
        result["answers"] = json.loads(lines[-2])
    return result


def machine_busy_seconds() -> float:
    """CPU seconds every core has spent busy since boot (/proc/stat; 0 where there is none)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq = (int(value) for value in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def cpu_by_program() -> dict[str, float]:
    """CPU seconds used so far by the processes running now, summed by
    program: the app server's workers, PostgreSQL's backends, Redis, the
    kernel's threads; user and system apart with
    BENCH_CPU_BY_PROGRAM=user-system. A process that ended since (wrk
    itself) is not counted."""
    ticks = os.sysconf("SC_CLK_TCK")
    apart = os.environ.get("BENCH_CPU_BY_PROGRAM") == "user-system"
    programs: dict[str, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # gone meanwhile
        name = text[text.index("(") + 1 : text.rindex(")")]
        user, system = (int(ticks_used) / ticks for ticks_used in text[text.rindex(")") + 2 :].split()[11:13])
        for label, seconds in (
            ((f"{name} user", user), (f"{name} system", system)) if apart else ((name, user + system),)
        ):
            programs[label] = programs.get(label, 0.0) + seconds
    return programs


def paced_delay_ms(peak_rps, p50_ms, connections, share=0.7):
    """The pause per connection that brings `connections` closed-loop
    clients to about `share` of `peak_rps`: each sends one request every
    connections / rate seconds, of which the answer itself takes ~p50."""
    if peak_rps <= 0:
        return 0
    cycle_ms = connections * 1000 / (peak_rps * share)
    return max(1, round(cycle_ms - p50_ms))


# Pages whose issue set their own target: the campaign overview (issue 20)
# aggregates a month of every clinic; the clinic days at risk (issue 19) weigh
# every mobile clinic's truck and driver over a fortnight; issue 21 asked four
# pages to be as fast as a plain Django app's; a check-in (issue 15) writes the
# appointment, its audit row and the desk's log, and answers with the desk.
PAGE_TARGETS = {
    "campaign overview, 30 days": 0.3,
    "clinic days at risk": 0.3,
    "home, anonymous": 2.5,
    "home, signed in": 1.0,
    "my appointments": 0.5,
    "appointment with QR code": 0.55,
    "check-in POST (a new code each)": 0.2,
}


def target_for(row):
    if row["page"] in PAGE_TARGETS:
        return PAGE_TARGETS[row["page"]]
    return POST_TARGET if row["kind"] == "post" else READ_TARGET


def post_lines(path, cookies, bodies):
    return [f"{path}\t{cookie}\t{body}" for cookie, body in zip(cookies, bodies, strict=True)]


class ConnectionSampler(threading.Thread):
    """Counts the app servers' PostgreSQL connections every 100 ms
    (pg_stat_activity; libpq names them by PGAPPNAME, so this script's own
    psql and manage.py calls are not counted)."""

    def __init__(self, database):
        super().__init__(daemon=True)
        import psycopg2

        self.connection = psycopg2.connect(f"{PG_SERVER}/{database}")
        self.connection.autocommit = True
        self.database = database
        self.peak = 0
        self.stopping = threading.Event()

    def run(self):
        with self.connection.cursor() as cursor:
            while not self.stopping.is_set():
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
                    [self.database, APP_NAME],
                )
                self.peak = max(self.peak, cursor.fetchone()[0])
                self.stopping.wait(0.1)

    def stop(self):
        self.stopping.set()
        if self.is_alive():
            self.join(timeout=5)
        self.connection.close()


class MemorySampler(threading.Thread):
    """Each web worker's peak memory (VmHWM) every 200 ms, so a worker that
    gunicorn.conf.py recycles for passing its budget is still counted, and
    the peak is known per phase (`mark`): after the pages (the heaviest one
    named), after the sign-in run."""

    def __init__(self, master_pid):
        super().__init__(daemon=True)
        self.master_pid = master_pid
        self.peaks = {}  # pid -> MB
        self.stopping = threading.Event()

    def sample(self):
        for pid in worker_pids(self.master_pid):
            try:
                mb = peak_rss_mb(pid)
            except OSError:  # the worker just exited
                continue
            if mb:
                self.peaks[pid] = max(self.peaks.get(pid, 0), mb)

    def run(self):
        while not self.stopping.is_set():
            self.sample()
            self.stopping.wait(0.2)

    def mark(self):
        self.sample()
        return dict(self.peaks)

    def stop(self):
        self.stopping.set()
        if self.is_alive():
            self.join(timeout=5)


def worker_pids(master_pid):
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def peak_rss_mb(pid):
    """The most memory the process ever held (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def contention(base, fixture, csrf):
    """All racers POST for the same slot at once. Exactly `seats` must win;
    every other must be sent back with the "just taken" message; no 5xx."""
    race = fixture["contention"]
    url = urllib.parse.urlsplit(base)
    cookie_name = fixture["cookie_name"]
    barrier = threading.Barrier(len(race["sessions"]) + 1)
    answers = [None] * len(race["sessions"])
    body = urllib.parse.urlencode({"slot": race["slot"], "csrfmiddlewaretoken": csrf["token"]})

    def racer(index, session_key):
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        cookie = f"{cookie_name}={session_key}; {csrf['cookie']}"
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        connection.connect()
        barrier.wait()
        try:
            connection.request("POST", "/appointments/book/", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            answers[index] = {
                "status": response.status,
                "location": response.getheader("Location") or "",
                "set_cookie": response.headers.get_all("Set-Cookie") or [],
                "cookie": cookie,
                "done": time.perf_counter(),
            }
        except OSError as error:
            answers[index] = {"status": 0, "error": str(error), "done": time.perf_counter()}
        finally:
            connection.close()

    threads = [threading.Thread(target=racer, args=(n, key)) for n, key in enumerate(race["sessions"])]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = max(answer["done"] for answer in answers) - started
    won = [a for a in answers if a["status"] == 302 and BOOKED_LOCATION.search(a["location"])]
    server_errors = sum(1 for a in answers if a["status"] >= 500 or a["status"] == 0)
    just_taken = 0
    for answer in answers:
        if answer in won or answer["status"] != 302:
            continue
        # The refusal is a message shown on the page the client is sent back to.
        extra = "; ".join(c.split(";", 1)[0] for c in answer["set_cookie"])
        request = urllib.request.Request(  # noqa: S310 -- loopback URL we built
            urllib.parse.urljoin(base, answer["location"]), headers={"Cookie": f"{answer['cookie']}; {extra}"}
        )
        with urllib.request.urlopen(request, timeout=30) as page:  # noqa: S310
            if JUST_TAKEN in page.read().decode():
                just_taken += 1
    return {
        "clients": len(answers),
        "seats": race["seats"],
        "succeeded": len(won),
        "just_taken": just_taken,
        "server_errors": server_errors,
        "seconds_to_all_answers": round(seconds, 3),
    }


def sign_in(base, fixture, csrf, workdir, args, master_pid):
    """Concurrent sign-ins (Argon2 hashing) of different people, each from
    its own address as a proxy would report it, so the per-address rate
    limit does not refuse them; the peak memory of each worker after it."""
    people = fixture["signin"]["emails"]
    bodies = [
        urllib.parse.urlencode(
            {"login": email, "password": fixture["signin"]["password"], "csrfmiddlewaretoken": csrf["token"]}
        )
        for email in people
    ]
    data = workdir / "login.tsv"
    data.write_text("\n".join(post_lines("/accounts/login/", [csrf["cookie"]] * len(people), bodies)) + "\n")
    before = {pid: peak_rss_mb(pid) for pid in worker_pids(master_pid)}
    result = wrk(
        f"{base}/accounts/login/",
        # A sign-in takes a second or more when eight hash at once on two cores:
        # measure long enough to see more than the first few.
        duration=max(15, 3 * args.duration),
        connections=args.connections,
        threads=args.threads,
        script="wrk_post.lua",
        args=[str(data)],
        # Signed in: sent where signing in leads (/start/, the role's landing) or home.
        env={"WRK_THREADS": str(args.threads), "WRK_OK": "^/%a*/?$", "WRK_REFUSED": "<form"},
        timeout=60,  # Argon2 is slow on purpose: a queue of sign-ins is not an error
    )
    after = {pid: peak_rss_mb(pid) for pid in worker_pids(master_pid)}
    result["peak_rss_mb_before"] = sorted(v for v in before.values() if v)
    result["peak_rss_mb_after"] = sorted(v for v in after.values() if v)
    return result


def memory_report(results, after_pages, after_sign_in):
    """Each worker's peak through the pages and through the sign-in run, the
    page during which the highest peak was first reached, and the workers past
    the budget."""
    heaviest, previous = None, 0
    for row in results:
        if row["worker_peak_mb"] > previous:
            heaviest, previous = row["page"], row["worker_peak_mb"]
    return {
        "budget_mb": MEMORY_BUDGET_MB,
        "after_pages_mb": sorted(after_pages.values()),
        "heaviest_page": heaviest,
        "after_sign_in_mb": sorted(after_sign_in.values()),
        "over_budget": sorted(mb for mb in after_sign_in.values() if mb > MEMORY_BUDGET_MB),
    }


def write_results(scale, results, extras, meta):
    data = {"meta": meta, "pages": results, **extras}
    for name in ("results", f"results-{scale}"):
        (BENCH / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n")
    others = {}
    for other in ("small", "large"):
        path = BENCH / f"results-{other}.json"
        if path.exists():
            others[other] = json.loads(path.read_text())
    markdown = render_markdown(data, others)
    (BENCH / f"results-{scale}.md").write_text(markdown)
    (BENCH / "results.md").write_text(markdown)


def render_markdown(data, others):
    meta = data["meta"]
    lines = [
        f"# VaxFleet benchmark, {meta['scale']} scale",
        "",
        f"{meta['date']} on {meta['machine']} (load average {meta['load_average']} at the start); "
        f"gunicorn {meta['gunicorn']}; wrk {meta['wrk']}, {meta.get('rounds', 1)} rounds of {meta['duration_s']} s "
        f"per page, each after {meta['reference_s']} s each of F0 and F1. Data: {meta['data']}.",
        "",
        "Each page is measured in rounds, each right after F0 and F1; a row is the page's best round and its ratios "
        "are to the best F0 and F1 of its rounds (on a shared machine interference only ever slows a run down). "
        "Target: a read page at least "
        f"{READ_TARGET} x F1, a POST at least {POST_TARGET} x F1 (the pages whose issue set their own: as the "
        f"table's target column says); p99 under {P99_TARGET_MS:.0f} ms at about 70% "
        "of the page's peak rate (each wrk connection pausing between requests; the rate reached is shown).",
        "",
        "| page | req/s | p50 ms | p95 ms | p99 ms | errors | ÷ F0 | ÷ F1 | target ÷ F1 | p99 ms at ~70% (req/s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in data["pages"]:
        target = target_for(row)
        met = "met" if row["ratio_f1"] >= target else "**missed**"
        paced = row.get("paced") or {}
        paced_text = f"{paced['p99_ms']:.1f} ({paced['rps']:.0f})" if paced else "—"
        if paced and paced["p99_ms"] >= P99_TARGET_MS:
            paced_text = f"**{paced_text}**"
        lines.append(
            f"| {row['page']} | {row['rps']:.0f} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['p99_ms']:.1f} "
            f"| {row['errors']} | {row['ratio_f0']:.2f} | {row['ratio_f1']:.2f} | {target} {met} | {paced_text} |"
        )
    for row in data["pages"]:
        if row.get("alongside"):
            lines += [
                "",
                f"{row['page']}: measured while 2 more connections booked, "
                f"{row['alongside']['rps']:.0f} bookings/s ({row['alongside']['booked']} booked in all).",
            ]
    posts = [row for row in data["pages"] if row.get("answers")]
    if posts:
        lines += ["", "What the POSTs answered:", ""]
        for row in posts:
            answers = row["answers"]
            lines.append(
                f"- {row['page']}: {answers['ok']} {row['ok_means']}, {answers['refused']} {row['refused_means']}, "
                f"{answers['other']} other answers; {answers['lines_reused']} times a thread ran out of fresh lines."
            )
    race = data.get("contention")
    if race:
        verdict = (
            "as required"
            if race["succeeded"] == race["seats"]
            and race["just_taken"] == race["clients"] - race["seats"]
            and not race["server_errors"]
            else "**NOT as required**"
        )
        lines += [
            "",
            f"Booking contention: {race['clients']} clients at once for one slot of {race['seats']} seats: "
            f'{race["succeeded"]} booked, {race["just_taken"]} told "just taken", {race["server_errors"]} server '
            f"errors; all answered in {race['seconds_to_all_answers']:.2f} s. The slot's seat counter says "
            f"{race['database']['booked_count']} of {race['database']['capacity']} taken, "
            f"{race['database']['appointments']} appointments in it ({verdict}).",
        ]
    login = data.get("login")
    if login:
        answers = login.get("answers", {})
        lines += [
            "",
            f"Sign-in (Argon2) with {meta['connections']} concurrent clients: {login['rps']:.0f} req/s, "
            f"p50 {login['p50_ms']:.0f} ms, p99 {login['p99_ms']:.0f} ms, {answers.get('ok', 0)} signed in, "
            f"{answers.get('refused', 0) + answers.get('other', 0)} not. Peak memory per worker (VmHWM): "
            f"{', '.join(f'{mb:.0f}' for mb in login['peak_rss_mb_before'])} MB before, "
            f"{', '.join(f'{mb:.0f}' for mb in login['peak_rss_mb_after'])} MB after.",
        ]
    memory = data.get("memory")
    if memory:
        verdict = "within" if not memory["over_budget"] else "**PAST**"
        lines += [
            "",
            f"Peak memory per web worker (VmHWM, sampled every 200 ms): "
            f"{', '.join(f'{mb:.0f}' for mb in memory['after_pages_mb'])} MB through the pages "
            f'(the highest first reached during "{memory["heaviest_page"]}"), '
            f"{', '.join(f'{mb:.0f}' for mb in memory['after_sign_in_mb'])} MB through the sign-in run: "
            f"{verdict} the budget of {memory['budget_mb']:.0f} MB (WEB_MEMORY_BUDGET_MB).",
        ]
    connections = data.get("connections")
    if connections:
        lines += [
            "",
            f"PostgreSQL connections of the app (pg_stat_activity, sampled every 100 ms over the whole run): "
            f"peak {connections['peak']}, budget {connections['budget']} ({connections['budget_rule']}).",
        ]
    if "small" in others and "large" in others:
        small = {row["page"]: row for row in others["small"]["pages"]}
        large = {row["page"]: row for row in others["large"]["pages"]}
        lines += [
            "",
            f"## Growth from the small to the large scale (target: at most {GROWTH_LIMIT} x slower)",
            "",
            f"Small run {others['small']['meta']['date']}, large run {others['large']['meta']['date']}. "
            "Cost is 1 / (÷ F1): how many F1 requests one page request is worth.",
            "",
            "| page | ÷ F1 small | ÷ F1 large | large cost ÷ small cost |",
            "| --- | ---: | ---: | ---: |",
        ]
        for page, row in small.items():
            if page in large and large[page]["ratio_f1"] > 0:
                growth = row["ratio_f1"] / large[page]["ratio_f1"]
                mark = f"**{growth:.2f}**" if growth > GROWTH_LIMIT else f"{growth:.2f}"
                lines.append(f"| {page} | {row['ratio_f1']:.2f} | {large[page]['ratio_f1']:.2f} | {mark} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["small", "large"], default="small")
    parser.add_argument("--duration", type=int, default=3, help="seconds per page measurement, per round")
    parser.add_argument("--reference", type=int, default=2, help="seconds of F0 and of F1 before each page round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of F0, F1 and the page; the best of each counts")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--no-paced", action="store_true", help="skip the p99 runs at ~70%% of the peak")
    parser.add_argument(
        "--only",
        action="append",
        metavar="PAGE",
        help="measure only the pages and POSTs whose name contains this (repeatable): prints, writes no results",
    )
    args = parser.parse_args()

    def wanted(name):
        return not args.only or any(part in name for part in args.only)

    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")

    started = time.monotonic()
    load_average = os.getloadavg()[0]
    # The seeded data is kept in its own database and copied for each run (fresh_copy).
    seeded, database = f"vaxfleet_bench_{args.scale}_seeded", f"vaxfleet_bench_{args.scale}"
    workers, threads = int(os.environ.get("WEB_CONCURRENCY", "2")), int(os.environ.get("GUNICORN_THREADS", "4"))
    env = server_env(database, workers=workers, threads=threads, port=args.port)
    seed_env = server_env(seeded)
    python = sys.executable
    ensure_database(seeded)
    run([python, "manage.py", "migrate", "--noinput", "-v0"], seed_env)
    run([python, "manage.py", "seed_demo", "--force"], seed_env, stdout=subprocess.DEVNULL)
    seeding_started = time.monotonic()
    run([python, "manage.py", "bench_seed", "--scale", args.scale], seed_env)
    seed_seconds = time.monotonic() - seeding_started
    psql(seeded, "VACUUM ANALYZE")  # every copy starts with its statistics and visibility map
    fresh_copy(seeded, database)
    run([python, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    # Every POST of every round is a new code or a new person: the booking
    # POST has 7,200 people, 2,400 a round (enough for 800 a second; with
    # 1,333 a round it ran out at 560 a second, and people booking again got
    # the costlier "already booked" answer), the booking burst 600 a round.
    fixture = json.loads(
        run([python, "manage.py", "bench_sessions", "--bookers", "9000"], env, capture_output=True, text=True).stdout
    )
    # Settle the database first: autovacuum or a checkpoint after the writes
    # above would otherwise land in the middle of the first pages' rounds.
    psql(database, "VACUUM ANALYZE")
    psql(database, "CHECKPOINT")
    counts = psql(
        database,
        "SELECT (SELECT count(*) FROM fleet_driver) || ' drivers, ' || "
        "(SELECT count(*) FROM vaccination_appointment) || ' appointments'",
    )
    secret = secrets.token_hex(16)  # a CSRF secret of 32 characters: cookie and form carry the same
    csrf = {"token": secret, "cookie": f"{fixture['csrf_cookie_name']}={secret}"}
    workdir = Path(tempfile.mkdtemp(prefix="vaxfleet-bench-"))

    port_free(args.port)
    server = subprocess.Popen(
        [
            *[python, "-m", "gunicorn", "project.wsgi", "--config", "gunicorn.conf.py"],
            *["--bind", f"{HOST}:{args.port}", "--access-logfile", "/dev/null", "--no-control-socket"],
            # gunicorn.conf.py recycles a worker every ~50,000 requests; at the
            # bench's rates that is every few seconds of F0, and a window that
            # holds a worker's start-up measures the start-up, not the page.
            *["--max-requests", "0"],
            # wrk opens its 8 connections at once, and a threaded worker accepts
            # up to 1,000: in about a third of the rounds one worker took all 8
            # and the round ran on one process at half the rate (F0 and F1
            # included), which made a page's best round a lottery. With at most
            # 5 each, both workers always serve (8 split 3-5 or 4-4; the
            # booking burst's 10 connections 5-5), as behind a router that
            # spreads clients. The bench only: production keeps gunicorn's 1,000.
            *["--worker-connections", str(threads + 1)],
        ],
        cwd=ROOT,
        env={**env, "PGAPPNAME": APP_NAME},
        start_new_session=True,
    )
    base = f"http://{HOST}:{args.port}"
    sampler = ConnectionSampler(database)
    memory = MemorySampler(server.pid)
    extras = {}
    try:
        wait_until_up(f"{base}/healthz/")
        sampler.start()
        memory.start()
        load = {"connections": args.connections, "threads": args.threads}
        for path in ("/bench/f0/", "/bench/f1/"):
            preflight(f"{base}{path}", "")
            wrk(f"{base}{path}", duration=2, **load)  # warm-up
        results = []

        def measure(name, path, cookie, kind, alongside=None, **post):
            """The page in `args.rounds` rounds, each right after F0 and F1:
            the best round of each against the best of F1 (on a shared
            machine interference only ever slows a run down). `alongside(n)`
            runs in a thread during round n of the page. None: not among --only's."""
            if not wanted(name):
                return None
            rounds = []
            data = Path(post["args"][0]) if post.get("args") else None
            if data:
                # Each round sends its own share of the lines (new codes, new
                # people): a line sent twice measures the "already" answer.
                lines = data.read_text().splitlines()
                share = len(lines) // args.rounds
                for n in range(args.rounds):
                    data.with_suffix(f".{n}.tsv").write_text("\n".join(lines[n * share : (n + 1) * share]) + "\n")
            for number in range(args.rounds):
                if data:
                    post = {**post, "args": [str(data.with_suffix(f".{number}.tsv"))]}
                f0 = wrk(f"{base}/bench/f0/", duration=args.reference, **load)
                f1 = wrk(f"{base}/bench/f1/", duration=args.reference, **load)
                side = {}
                helper = (
                    threading.Thread(target=lambda n=number, side=side: side.update(alongside(n)))
                    if alongside
                    else None
                )
                if helper:
                    helper.start()
                page = wrk(f"{base}{path}", cookie=cookie, duration=args.duration, **load, **post)
                if helper:
                    helper.join()
                rounds.append({"f0": f0, "f1": f1, "page": page, "alongside": side})
            best = max(rounds, key=lambda r: r["page"]["rps"])["page"]
            f0_rps = max(r["f0"]["rps"] for r in rounds)
            f1_rps = max(r["f1"]["rps"] for r in rounds)
            row = {"page": name, "path": path, "kind": kind, **best}
            row["ratio_f0"] = round(best["rps"] / f0_rps, 3)
            row["ratio_f1"] = round(best["rps"] / f1_rps, 3)
            row["f0_rps"], row["f1_rps"] = f0_rps, f1_rps
            row["rounds"] = [{key: r[key]["rps"] for key in ("f0", "f1", "page")} for r in rounds]
            if "answers" in best:
                row["answers"] = {key: sum(r["page"]["answers"][key] for r in rounds) for key in best["answers"]}
            if alongside:
                sides = [r["alongside"] for r in rounds]
                row["alongside"] = {
                    "rps": round(sum(side["rps"] for side in sides) / len(sides), 1),
                    "booked": sum(side.get("answers", {}).get("ok", 0) for side in sides),
                }
            row["worker_peak_mb"] = max(memory.mark().values(), default=0)
            results.append(row)
            each = " ".join(f"{r['page'] / r['f1']:.2f}" for r in row["rounds"] if r["f1"])
            f1_cpu = min(r["f1"]["cpu_ms"] or 0 for r in rounds)
            page_cpu = min(r["page"]["cpu_ms"] or 0 for r in rounds)
            row["cpu_ms"], row["f1_cpu_ms"] = page_cpu, f1_cpu
            if os.environ.get("BENCH_CPU_BY_PROGRAM"):
                for label, key in (("F1", "f1"), (name, "page")):
                    split = min(rounds, key=lambda r, key=key: r[key]["cpu_ms"] or 0)[key].get("cpu_ms_by_program", {})
                    print(f"  CPU ms per request of {label}: " + ", ".join(f"{k} {v:.2f}" for k, v in split.items()))
            print(
                f"{name:<40} {best['rps']:>7.0f} req/s  p99 {best['p99_ms']:>6.1f} ms  ÷F1 {row['ratio_f1']:.2f}"
                f"  (each round ÷ its F1: {each}; CPU per request {page_cpu:.2f} ms, F1's {f1_cpu:.2f})"
            )
            if "answers" in row:
                each = "; ".join(
                    ", ".join(f"{key} {value}" for key, value in r["page"]["answers"].items()) for r in rounds
                )
                print(f"  answers of each round: {each}; errors {sum(r['page']['errors'] for r in rounds)}")
            return row

        for name, path, who in pages(fixture):
            if not wanted(name):
                continue  # before its preflight: a page left out may need data this run did not make
            cookie = f"{fixture['cookie_name']}={fixture['sessions'][who]}" if who else ""
            preflight(f"{base}{path}", cookie)
            row = measure(name, path, cookie, "read")
            if not args.no_paced:
                delay = paced_delay_ms(row["rps"], row["p50_ms"], args.connections)
                row["paced"] = wrk(
                    f"{base}{path}", cookie=cookie, duration=args.duration, **load, env={"WRK_DELAY_MS": str(delay)}
                )
                row["paced"]["delay_ms"] = delay

        # Check-in: each request scans a new person's code at the desk.
        desk = fixture["checkin"]
        cookies = [f"{fixture['cookie_name']}={key}; {csrf['cookie']}" for key in desk["sessions"]]
        lines = post_lines(
            "/clinic/checkin/",
            [cookies[n % len(cookies)] for n in range(len(desk["codes"]))],
            [
                urllib.parse.urlencode(
                    {"code": code, "site": desk["site"], "attempt": f"b{n}", "csrfmiddlewaretoken": secret}
                )
                for n, code in enumerate(desk["codes"])
            ],
        )
        (workdir / "checkin.tsv").write_text("\n".join(lines) + "\n")
        row = measure(
            "check-in POST (a new code each)",
            "/clinic/checkin/",
            "",
            "post",
            script="wrk_post.lua",
            args=[str(workdir / "checkin.tsv")],
            env={
                "WRK_THREADS": str(args.threads),
                "WRK_OK": "desk%-result%-ok",
                "WRK_REFUSED": "desk%-result%-refused",
            },
        )
        if row:
            row["ok_means"], row["refused_means"] = "checked in", "refused (already checked in: a code scanned again)"

        # Booking: each request is a different person booking a free seat.
        booking = fixture["booking"]
        lines = post_lines(
            "/appointments/book/",
            [f"{fixture['cookie_name']}={key}; {csrf['cookie']}" for key in booking["sessions"]],
            [
                urllib.parse.urlencode(
                    {"slot": booking["slots"][n % len(booking["slots"])], "csrfmiddlewaretoken": secret}
                )
                for n in range(len(booking["sessions"]))
            ],
        )
        # Four fifths of the bookers for the POST row, the rest for the burst below.
        split = len(lines) * 4 // 5
        (workdir / "booking.tsv").write_text("\n".join(lines[:split]) + "\n")
        burst = lines[split:]
        share = len(burst) // args.rounds
        for n in range(args.rounds):
            (workdir / f"burst.{n}.tsv").write_text("\n".join(burst[n * share : (n + 1) * share]) + "\n")
        booking_env = {
            "WRK_THREADS": str(args.threads),
            "WRK_OK": "^/appointments/%d+/booked/$",  # the confirmation panel
            "WRK_REFUSED": "^/appointments/book/",
        }
        row = measure(
            "booking POST (a new person each)",
            "/appointments/book/",
            "",
            "post",
            script="wrk_post.lua",
            args=[str(workdir / "booking.tsv")],
            env=booking_env,
        )
        if row:
            row["ok_means"], row["refused_means"] = "booked", "sent back to the picker (already booked: a person again)"

        # A temperature logger: each request 1,000 new readings for one truck (JSON, a token).
        cold = fixture["coldchain"]  # seed_demo made its trucks and fleet manager
        path = f"/api/v1/trucks/{cold['post_truck']}/temperatures/"
        lines = post_lines(path, [f"Bearer {cold['token']}"] * len(cold["bodies"]), cold["bodies"])
        (workdir / "temperatures.tsv").write_text("\n".join(lines) + "\n")
        row = measure(
            "temperature POST (1,000 readings)",
            path,
            "",
            "post",
            script="wrk_post.lua",
            args=[str(workdir / "temperatures.tsv")],
            env={
                "WRK_THREADS": str(args.threads),
                "WRK_OK": '"stored":[1-9]',
                "WRK_REFUSED": '"stored":0',
                "WRK_CREDENTIALS_HEADER": "Authorization",
                "WRK_CONTENT_TYPE": "application/json",
            },
        )
        if row:
            row["ok_means"], row["refused_means"] = "stored", "already stored (a batch sent again)"

        # The day bookings open: the booking page read while others book.
        # Every booking changes the free seats the page shows, so this is the
        # booking page's cache (pagecache.fragments) under the load it is for.
        name, path, who = pages(fixture)[2]
        cookie = f"{fixture['cookie_name']}={fixture['sessions'][who]}"

        def book_alongside(number):
            return wrk(
                f"{base}/appointments/book/",
                duration=args.duration,
                connections=2,
                threads=1,
                script="wrk_post.lua",
                args=[str(workdir / f"burst.{number}.tsv")],
                env={**booking_env, "WRK_THREADS": "1"},
            )

        measure(f"{name.split(':')[0]}, while others book", path, cookie, "read", alongside=book_alongside)
        if args.only:
            return  # a partial run: the table above is its result; the results files keep the last whole run

        race = contention(base, fixture, csrf)
        outcome = run(
            [
                python,
                "manage.py",
                "shell",
                "-c",
                f"import json; from benchmarks.fixture import contention_outcome as o; "
                f"print(json.dumps(o({fixture['contention']['slot']})))",
            ],
            env,
            capture_output=True,
            text=True,
        ).stdout
        race["database"] = json.loads(outcome.strip().splitlines()[-1])
        extras["contention"] = race
        print(f"contention: {race}")
        after_pages = memory.mark()
        extras["login"] = sign_in(base, fixture, csrf, workdir, args, server.pid)
        print(f"sign-in: {extras['login']}")
        extras["memory"] = memory_report(results, after_pages, memory.mark())
        print(f"memory: {extras['memory']}")
    finally:
        memory.stop()
        sampler.stop()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    extras["connections"] = {
        "peak": sampler.peak,
        "budget": workers * threads,
        "budget_rule": f"{workers} workers x {threads} threads x 1 app server",
    }

    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False).stdout.split()[:2]
    meta = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, shared with other jobs",
        "load_average": f"{load_average:.2f}",
        "scale": args.scale,
        "data": counts,
        "seed_seconds": round(seed_seconds, 1),
        "gunicorn": f"{workers} workers x {threads} threads, at most {threads + 1} connections each",
        "wrk": f"{' '.join(wrk_version)}, {args.threads} threads, {args.connections} connections",
        "connections": args.connections,
        "duration_s": args.duration,
        "rounds": args.rounds,
        "reference_s": args.reference,
        "total_seconds": round(time.monotonic() - started),
    }
    write_results(args.scale, results, extras, meta)
    print(f"wrote {BENCH / 'results.md'} and {BENCH / 'results.json'} in {meta['total_seconds']} s")
    over = extras["memory"]["over_budget"]
    if over:
        raise SystemExit(
            f"FAILED: {len(over)} web worker(s) passed WEB_MEMORY_BUDGET_MB={MEMORY_BUDGET_MB:.0f}: "
            + ", ".join(f"{mb:.0f} MB" for mb in over)
        )


if __name__ == "__main__":
    main()
