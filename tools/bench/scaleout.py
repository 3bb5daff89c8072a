"""`make scaleout`: two app servers on two ports, one PostgreSQL, one Redis.

Shows that VaxFleet's guarantees hold when the router spreads requests over
several stateless app servers:

1. booking contention split across both: 200 clients, half on each server,
   for one slot of 10 seats: exactly 10 bookings, every other client told
   "just taken", no server error;
2. double scan: each of 50 codes scanned at the same moment at two desks,
   one on each server: exactly one check-in per code, the other desk told
   "already checked in";
3. rate limits shared: one person's booking POSTs alternate between the
   servers; the limit (20 a minute) refuses the 21st whichever server it
   reaches;
4. a session is valid on both: sign in (a real POST with the password) on
   server A, then read a signed-in page on server B;
5. the cached page parts are shared (pagecache.fragments): B's day board
   shows a check-in made on A at once, and B's booking picker a seat taken
   on A (outside a burst of bookings: during one it may be 5 s old);
6. Redis stopped for 10 s during a booking burst (it is the cache and the
   broker; this script runs its own redis-server for that): no server
   error, and every booking's confirmation is mailed exactly once by the
   Celery worker, after the outbox sweep re-queued what the outage held.

    .venv/bin/python tools/bench/scaleout.py [--ports 18771 18772]

Prints a summary; exits 1 when any guarantee failed. Uses the database
vaxfleet_bench_scaleout (small bench data, made once) and Redis db 15.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import redis as redis_client

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import (
    BOOKED_LOCATION,
    DEMO_PASSWORD,
    HOST,
    JUST_TAKEN,
    ROOT,
    ensure_database,
    port_free,
    psql,
    run,
    server_env,
    wait_until_up,
)

DATABASE = "vaxfleet_bench_scaleout"
APP_NAME = "vaxfleet-scaleout-app"


def request(port, method, path, *, cookie="", body=None, timeout=60):
    """One request; answers (status, headers as a dict of lists, body text)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urllib.parse.urlencode(body)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        all_headers = {}
        for name, value in response.getheaders():
            all_headers.setdefault(name.lower(), []).append(value)
        return response.status, all_headers, text
    finally:
        connection.close()


def cookies_from(headers):
    return "; ".join(value.split(";", 1)[0] for value in headers.get("set-cookie", []))


def all_at_once(calls):
    """Run the zero-argument `calls` in threads released together; their answers, and the seconds until the last."""
    barrier = threading.Barrier(len(calls) + 1)
    answers = [None] * len(calls)

    def worker(index, call):
        barrier.wait()
        try:
            answers[index] = call()
        except OSError as error:
            answers[index] = (0, {}, str(error))

    threads = [threading.Thread(target=worker, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return answers, time.perf_counter() - started


def booking_contention(ports, fixture, csrf):
    race = fixture["contention"]
    sessions = race["sessions"]
    cookie_name = fixture["cookie_name"]
    calls = []
    for n, key in enumerate(sessions):
        port = ports[n % 2]
        cookie = f"{cookie_name}={key}; {csrf['cookie']}"
        body = {"slot": race["slot"], "csrfmiddlewaretoken": csrf["token"]}
        calls.append(
            lambda port=port, cookie=cookie, body=body: (
                port,
                cookie,
                request(port, "POST", "/appointments/book/", cookie=cookie, body=body),
            )
        )
    answers, seconds = all_at_once(calls)
    won, just_taken, server_errors, per_server = 0, 0, 0, dict.fromkeys(ports, 0)
    for port, cookie, (status, headers, _text) in answers:
        location = (headers.get("location") or [""])[0]
        if status >= 500 or status == 0:
            server_errors += 1
        elif status == 302 and BOOKED_LOCATION.search(location):
            won += 1
            per_server[port] += 1
        elif status == 302:
            # The refusal is the message on the page the client is sent back to (read on the other server).
            other = ports[1] if port == ports[0] else ports[0]
            _s, _h, page = request(other, "GET", location, cookie=f"{cookie}; {cookies_from(headers)}")
            just_taken += JUST_TAKEN in page
    database = psql(
        DATABASE,
        f"SELECT booked_count || '/' || capacity || ' seats, ' || "
        f"(SELECT count(*) FROM vaccination_appointment WHERE slot_id = {int(race['slot'])} AND status <> 'cancelled')"
        f" || ' appointments' FROM vaccination_slot WHERE id = {int(race['slot'])}",
    )
    ok = won == race["seats"] and just_taken == len(sessions) - race["seats"] and not server_errors
    return ok, (
        f"booking contention across both servers: {len(sessions)} clients for {race['seats']} seats: {won} booked "
        f'({per_server[ports[0]]} via A, {per_server[ports[1]]} via B), {just_taken} told "just taken", '
        f"{server_errors} server errors, all answered in {seconds:.2f} s; database: {database}"
    )


def double_scan(ports, fixture, csrf, codes=50):
    desk = fixture["checkin"]
    cookie_name = fixture["cookie_name"]
    calls = []
    for n, code in enumerate(desk["codes"][:codes]):
        for side, port in enumerate(ports):
            # Two desk users, one on each server, scan the same code at the same moment.
            key = desk["sessions"][(2 * n + side) % len(desk["sessions"])]
            body = {"code": code, "site": desk["site"], "attempt": f"s{n}-{side}", "csrfmiddlewaretoken": csrf["token"]}
            cookie = f"{cookie_name}={key}; {csrf['cookie']}"
            calls.append(
                lambda port=port, cookie=cookie, body=body: request(
                    port, "POST", "/clinic/checkin/", cookie=cookie, body=body
                )
            )
    answers, seconds = all_at_once(calls)
    pairs_ok, successes, already, errors = 0, 0, 0, 0
    for n in range(codes):
        pair = answers[2 * n : 2 * n + 2]
        won = sum(1 for status, _h, text in pair if status == 200 and "desk-result-ok" in text)
        lost = sum(1 for status, _h, text in pair if status == 200 and "desk-result-refused" in text)
        errors += sum(1 for status, _h, _t in pair if status != 200)
        successes += won
        already += lost
        pairs_ok += won == 1 and lost == 1
    logged = psql(
        DATABASE,
        "SELECT count(*) FILTER (WHERE reason = 'checked_in') || ' checked in, ' || "
        "count(*) FILTER (WHERE reason = 'already_checked_in') || ' already checked in' "
        f"FROM vaccination_checkinlog WHERE site_id = {int(desk['site'])}",
    )
    ok = pairs_ok == codes and not errors
    return ok, (
        f"double scan: {codes} codes each scanned at once on A and on B: {pairs_ok} with exactly one success "
        f"({successes} checked in, {already} already checked in, {errors} errors) in {seconds:.2f} s; "
        f"the desk log says {logged}"
    )


def shared_rate_limit(ports, fixture, csrf, tries=25, limit=20):
    booking = fixture["booking"]
    cookie = f"{fixture['cookie_name']}={booking['sessions'][-1]}; {csrf['cookie']}"
    body = {"slot": booking["slots"][0], "csrfmiddlewaretoken": csrf["token"]}
    statuses = [request(ports[n % 2], "POST", "/appointments/book/", cookie=cookie, body=body)[0] for n in range(tries)]
    first_refusal = next((n + 1 for n, status in enumerate(statuses) if status == 429), None)
    ok = first_refusal == limit + 1 and all(status == 429 for status in statuses[limit:])
    return ok, (
        f"rate limit shared: one person's booking POSTs alternating A, B, A...: the first 429 came at POST "
        f"{first_refusal} (limit {limit} a minute across both servers), statuses {sorted(set(statuses))}"
    )


def count_on(text, pattern):
    found = re.search(pattern, text, re.DOTALL)
    return int(re.sub(r"\D", "", found.group(1))) if found else None


def shared_cache(ports, fixture, csrf):
    """Read on B (the parts are cached there), write on A, read on B again."""
    a, b = ports
    name = fixture["cookie_name"]
    desk = fixture["checkin"]
    staff = f"{name}={desk['sessions'][0]}; {csrf['cookie']}"
    rows = f"/clinic/today/rows/?site={desk['site']}"
    checked_in = r'<span class="board-count">([\d,.]+)</span> checked in'
    before = count_on(request(b, "GET", rows, cookie=staff)[2], checked_in)
    code = desk["codes"][-1]  # the double scan used the first ones
    body = {"code": code, "site": desk["site"], "attempt": "cache-check", "csrfmiddlewaretoken": csrf["token"]}
    request(a, "POST", "/clinic/checkin/", cookie=staff, body=body)
    after = count_on(request(b, "GET", rows, cookie=staff)[2], checked_in)

    booking = fixture["booking"]
    viewer = f"{name}={booking['sessions'][0]}; {csrf['cookie']}"
    booker = f"{name}={booking['sessions'][1]}; {csrf['cookie']}"
    clinic = booking["site_name"]
    free = rf"{re.escape(clinic)}</span>.*?([\d,.]+) free place"
    time.sleep(2.5)  # past the burst window of the bookings before (SEATS_BUMP_SECONDS)
    seats_before = count_on(request(b, "GET", "/appointments/book/", cookie=viewer)[2], free)
    # slots[0] went to the rate-limit check's first booking (one seat each here).
    body = {"slot": booking["slots"][1], "csrfmiddlewaretoken": csrf["token"]}
    status, headers, _text = request(a, "POST", "/appointments/book/", cookie=booker, body=body)
    booked = status == 302 and BOOKED_LOCATION.search(headers.get("location", [""])[0])
    seats_after = count_on(request(b, "GET", "/appointments/book/", cookie=viewer)[2], free)

    ok = None not in (before, after, seats_before, seats_after) and after == before + 1
    ok = ok and bool(booked) and seats_after == seats_before - 1
    return ok, (
        f"cached pages shared: B's day board said {before} checked in, {after} after a check-in on A; "
        f"B's booking picker said {seats_before} free places at {clinic}, {seats_after} after a booking on A"
    )


def shared_session(ports):
    status, headers, page = request(ports[0], "GET", "/accounts/login/")
    cookie = cookies_from(headers)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, headers, _ = request(
        ports[0],
        "POST",
        "/accounts/login/",
        cookie=cookie,
        body={"login": "patient@example.com", "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
    )
    signed_in = f"{cookie}; {cookies_from(headers)}"
    # /appointments/ sends anyone not signed in to the login page: a 200 means B knows the session.
    on_b, _headers, _page = request(ports[1], "GET", "/appointments/", cookie=signed_in)
    ok = status == 302 and on_b == 200
    return ok, (
        f"session shared: signed in on A (answer {status}), then /appointments/ on B answered {on_b} "
        f"({'the signed-in page' if on_b == 200 else 'not signed in'})"
    )


class OwnRedis:
    """A redis-server of this script's own, so it can be stopped: the shared
    one on 6379 serves everyone else on the machine."""

    def __init__(self, port):
        self.port = port
        self.url = f"redis://{HOST}:{port}/0"
        self.process = None

    def start(self):
        port_free(self.port)
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                HOST,
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
                redis_client.Redis.from_url(self.url).ping()
                return
            except redis_client.RedisError:
                if time.monotonic() > deadline:
                    raise SystemExit("redis-server did not start") from None
                time.sleep(0.1)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def sweep(env):
    """What beat does every minute: hand the owed outbox rows to the worker again."""
    return run(
        [sys.executable, "manage.py", "shell", "-c", "import outbox; print(outbox.sweep())"],
        env,
        capture_output=True,
        text=True,
    ).stdout.strip()


def redis_outage_during_bookings(ports, fixture, csrf, own_redis, env, mail_dir, outage=10.0):
    """Bookers keep booking from 3 threads while Redis is stopped for `outage`
    seconds; then every booking's confirmation must be mailed exactly once."""
    name = fixture["cookie_name"]
    booking = fixture["booking"]
    # The first two and the last bookers served the checks before.
    queue = list(enumerate(booking["sessions"][2:-1]))
    lock = threading.Lock()
    answers = []
    started = time.monotonic()
    until = started + outage + 4

    def booker():
        while time.monotonic() < until:
            with lock:
                if not queue:
                    return
                n, key = queue.pop(0)
            cookie = f"{name}={key}; {csrf['cookie']}"
            body = {"slot": booking["slots"][2 + n % (len(booking["slots"]) - 2)], "csrfmiddlewaretoken": csrf["token"]}
            try:
                answers.append(
                    request(ports[n % 2], "POST", "/appointments/book/", cookie=cookie, body=body, timeout=30)
                )
            except OSError as error:
                answers.append((0, {}, str(error)))
            time.sleep(0.25)

    threads = [threading.Thread(target=booker) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    own_redis.stop()
    time.sleep(outage)
    own_redis.start()  # empty, as a restarted Redis: the queued task messages are gone, the outbox rows are not
    for thread in threads:
        thread.join()

    server_errors = sum(1 for status, _h, _t in answers if status >= 500 or status == 0)
    booked = [
        int(found.group(1))
        for status, headers, _t in answers
        if status == 302 and (found := BOOKED_LOCATION.search((headers.get("location") or [""])[0]))
    ]
    ids = ",".join(str(pk) for pk in booked) or "0"
    owed_sql = (
        "SELECT count(*) FROM outbox_message WHERE kind = 'appointment_booked' AND status = 'sent' "
        f"AND (data->>'appointment')::int IN ({ids})"
    )
    # The sweep leaves rows younger than a minute to the hand-off after commit.
    deadline = time.monotonic() + 150
    while int(psql(DATABASE, owed_sql)) < len(booked) and time.monotonic() < deadline:
        time.sleep(10)
        sweep(env)
    sent = int(psql(DATABASE, owed_sql))
    time.sleep(2)  # the worker finishes writing the last file
    emails = psql(
        DATABASE,
        "SELECT string_agg(u.email, ' ') FROM vaccination_appointment a JOIN accounts_user u ON u.id = a.person_id "
        f"WHERE a.id IN ({ids})",
    ).split()
    mailed = "\n".join(path.read_text(errors="replace") for path in Path(mail_dir).glob("*.log"))
    per_person = [len(re.findall(rf"^To: {re.escape(email)}$", mailed, re.MULTILINE)) for email in emails]
    once = sum(1 for count in per_person if count == 1)
    ok = not server_errors and booked and sent == len(booked) and once == len(booked)
    return ok, (
        f"Redis stopped for {outage:.0f} s during a booking burst: {len(answers)} booking POSTs, {len(booked)} booked, "
        f"{server_errors} server errors; confirmations marked sent {sent} of {len(booked)}, mailed exactly once to "
        f"{once} of {len(booked)} people (more than once: {sum(1 for c in per_person if c > 1)})"
    )


def main():
    global DATABASE  # one run, one database, read by every check
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ports", type=int, nargs=2, default=[18771, 18772])
    parser.add_argument("--redis-port", type=int, default=18779, help="the script's own redis-server (check 6)")
    parser.add_argument("--database", default=DATABASE, help="the PostgreSQL database it builds and uses")
    args = parser.parse_args()
    DATABASE = args.database
    if not shutil.which("redis-server"):
        raise SystemExit("redis-server is not installed: apt-get install -y redis-server")
    # The script's own Redis, empty at each start: no earlier run's rate-limit
    # counters or cached pages, and nobody else's bench data is touched.
    own_redis = OwnRedis(args.redis_port)
    own_redis.start()
    try:
        prepare_and_run(args, own_redis)
    finally:
        own_redis.stop()


def prepare_and_run(args, own_redis):
    mail_dir = tempfile.mkdtemp(prefix="vaxfleet-scaleout-mail-")
    # The bench's production settings, one secret for both servers (as one
    # app's dynos share their config), and the client's own address: the
    # shared rate limit is checked per person, not per proxied address.
    env = server_env(DATABASE)
    for bench_only in ("ALLAUTH_TRUSTED_PROXY_COUNT", "VAXFLEET_BENCH_ENDPOINTS", "PORT"):
        env.pop(bench_only)
    # Cache and broker on the script's own Redis; the worker mails into files it can count.
    env["REDIS_URL"] = own_redis.url
    worker_env = {
        **env,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": mail_dir,
    }
    python = sys.executable
    ensure_database(DATABASE)
    run([python, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([python, "manage.py", "seed_demo", "--force"], env, stdout=subprocess.DEVNULL)
    run([python, "manage.py", "bench_seed", "--scale", "small"], env, stdout=subprocess.DEVNULL)
    run([python, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    fixture = json.loads(
        run(
            [python, "manage.py", "bench_sessions", "--check-ins", "200", "--bookers", "200", "--desk-users", "20"],
            env,
            capture_output=True,
            text=True,
        ).stdout
    )
    secret = secrets.token_hex(16)
    csrf = {"token": secret, "cookie": f"{fixture['csrf_cookie_name']}={secret}"}

    servers = []
    try:
        for port in args.ports:
            port_free(port)
            servers.append(
                subprocess.Popen(
                    [
                        *[python, "-m", "gunicorn", "project.wsgi", "--config", "gunicorn.conf.py"],
                        *["--bind", f"{HOST}:{port}", "--access-logfile", "/dev/null", "--no-control-socket"],
                    ],
                    cwd=ROOT,
                    env={**env, "PGAPPNAME": APP_NAME},
                    start_new_session=True,
                )
            )
        servers.append(
            subprocess.Popen(
                [python, "-m", "celery", "-A", "project", "worker", "--loglevel=WARNING", "--concurrency=2"],
                cwd=ROOT,
                env={**worker_env, "PGAPPNAME": APP_NAME},
                start_new_session=True,
            )
        )
        for port in args.ports:
            wait_until_up(f"http://{HOST}:{port}/healthz/")
        checks = [
            booking_contention(args.ports, fixture, csrf),
            double_scan(args.ports, fixture, csrf),
            shared_rate_limit(args.ports, fixture, csrf),
            shared_session(args.ports),
            shared_cache(args.ports, fixture, csrf),
            redis_outage_during_bookings(args.ports, fixture, csrf, own_redis, env, mail_dir),
        ]
        connections = psql(DATABASE, f"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{APP_NAME}'")
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
        shutil.rmtree(mail_dir, ignore_errors=True)

    print(f"\nTwo app servers (ports {args.ports[0]} = A, {args.ports[1]} = B), one PostgreSQL, one Redis:")
    for ok, line in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {line}")
    print(f"  PostgreSQL connections held by the two servers at the end: {connections} (budget 2 x 2 x 4 = 16)")
    failed = sum(1 for ok, _line in checks if not ok)
    print("All guarantees hold." if not failed else f"{failed} guarantee(s) FAILED.")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
