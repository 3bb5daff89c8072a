"""Where a page's time goes, without a server or a load generator.

`make bench` says how fast each page is; this says why. It serves the same
pages and POSTs as tools/bench/run.py in one process, straight through Django's WSGI
handler (production settings, the scale's PostgreSQL database and Redis, as
`make bench` left them), and prints each page's milliseconds per request,
its database queries and its cost as a multiple of F1. With --profile it
runs one page under cProfile and prints where the time went.

    .venv/bin/python tools/bench/profile_pages.py [--scale small] [--requests 200]
    .venv/bin/python tools/bench/profile_pages.py --profile "booking" [--sort tottime]
    .venv/bin/python tools/bench/profile_pages.py --cold   # every cached page as a miss

Run `make bench` once first: it seeds the database this reads. The numbers
are of one thread (the best of five rounds), so they are steadier than
wrk's but leave out the server and the network.
"""

import argparse
import cProfile
import io
import itertools
import json
import os
import pstats
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parents[1]))  # the repository root

import run as bench_run  # noqa: E402 -- tools/bench/run.py, after the path is set


def environ(path, cookie, body=None):
    path, _, query = path.partition("?")
    data = body.encode() if body is not None else b""
    return {
        "REQUEST_METHOD": "GET" if body is None else "POST",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(data)),
        "SERVER_NAME": bench_run.HOST,
        "SERVER_PORT": "80",
        "REMOTE_ADDR": bench_run.HOST,
        "HTTP_HOST": bench_run.HOST,
        "HTTP_COOKIE": cookie,
        "HTTP_ACCEPT_LANGUAGE": "en",
        "wsgi.input": io.BytesIO(data),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["small", "large"], default="small")
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument(
        "--database", help="read this database instead of make bench's (vaxfleet_bench_SCALE), e.g. one seeded apart"
    )
    parser.add_argument("--only", metavar="PAGE", action="append", help="time only the pages whose name contains this")
    parser.add_argument("--profile", metavar="PAGE", help="profile the page whose name contains this")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime)")
    parser.add_argument("--lines", type=int, default=45)
    parser.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="cpu: this thread's CPU time only (steady on a busy machine; leaves out the wait for the database)",
    )
    parser.add_argument("--callers", metavar="FUNCTION", help="with --profile: who calls the functions matching this")
    parser.add_argument(
        "--cold", action="store_true", help="forget the cached fragments before every request: the cost of a miss"
    )
    parser.add_argument("--redis-url", help="the Redis to use (default: the bench's)")
    args = parser.parse_args()

    os.environ.update(bench_run.server_env(args.database or f"vaxfleet_bench_{args.scale}"))
    if args.redis_url:
        os.environ["REDIS_URL"] = args.redis_url
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.signals import request_started
    from django.db import close_old_connections, connection

    # One connection for the whole run, as a gunicorn thread keeps it.
    request_started.disconnect(close_old_connections)
    from django.core.handlers.wsgi import WSGIHandler

    # Each POST needs a code not yet scanned and a person not yet booked.
    fresh = str(args.requests + 40)
    out = io.StringIO()
    call_command("bench_sessions", "--check-ins", fresh, "--bookers", fresh, "--racers", "10", stdout=out)
    fixture = json.loads(out.getvalue())
    handler = WSGIHandler()
    secret = "b" * 32  # the CSRF secret: cookie and form carry the same
    csrf_cookie = f"{fixture['csrf_cookie_name']}={secret}"

    from pagecache import fragments

    def serve(request):
        path, cookie, body = request
        if args.cold:
            fragments.bump_all()
        status = []
        answer = b"".join(handler(environ(path, cookie, body), lambda s, h: status.append(s)))
        if not status[0].startswith("200" if body is None else ("200", "302")):
            raise SystemExit(f"{path} answered {status[0]}")
        return answer

    def session(key):
        return f"{fixture['cookie_name']}={key}; {csrf_cookie}"

    desk, booking = fixture["checkin"], fixture["booking"]
    checkins = [
        (
            "/clinic/checkin/",
            session(desk["sessions"][n % len(desk["sessions"])]),
            urlencode({"code": code, "site": desk["site"], "attempt": f"p{n}", "csrfmiddlewaretoken": secret}),
        )
        for n, code in enumerate(desk["codes"])
    ]
    bookings = [
        (
            "/appointments/book/",
            session(key),
            urlencode({"slot": booking["slots"][n % len(booking["slots"])], "csrfmiddlewaretoken": secret}),
        )
        for n, key in enumerate(booking["sessions"])
    ]
    pages = [
        ("F1 (fortunes)", itertools.repeat(("/bench/f1/", "", None))),
        ("F0 (no query, no template)", itertools.repeat(("/bench/f0/", "", None))),
        # F0 for a signed-in person: what the session and the user cost every signed-in page.
        ("F0 signed in", itertools.repeat(("/bench/f0/", session(fixture["sessions"]["patient"]), None))),
        *[
            (name, itertools.repeat((path, session(fixture["sessions"][who]) if who else "", None)))
            for name, path, who in bench_run.pages(fixture)
        ],
        ("check-in POST (a new code each)", iter(checkins)),
        ("booking POST (a new person each)", iter(bookings)),
    ]
    if args.only:
        # F1 always runs first, in the same process: the ratios stay comparable on a loaded machine.
        wanted = [name.lower() for name in args.only]
        pages = [page for page in pages if page[0].startswith("F1") or any(w in page[0].lower() for w in wanted)]
    if args.profile:
        pages = [page for page in pages if args.profile.lower() in page[0].lower()]
        if not pages:
            raise SystemExit(f"No page's name contains {args.profile!r}")
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    server = _server_clock(connection)
    f1_ms = None
    for name, requests in pages:
        for _ in range(20):  # warm the template cache, the connection and the QR cache
            serve(next(requests))
        queries = []

        def counted(execute, sql, *rest, queries=queries):
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(counted):
            body = serve(next(requests))
        if args.profile:
            profiler = cProfile.Profile(clock)  # the clock the page is timed by
            profiler.enable()
        # The best of five rounds, as timeit does: the machine only ever adds time.
        rounds = []
        server_started = server()
        for _ in range(5):
            started = clock()
            for _ in range(max(1, args.requests // 5)):
                serve(next(requests))
            rounds.append((clock() - started) * 1000 / max(1, args.requests // 5))
        server_ms = (server() - server_started) * 1000 / (5 * max(1, args.requests // 5)) if server_started else None
        ms = min(rounds)
        if args.profile:
            profiler.disable()
        f1_ms = ms if f1_ms is None and name.startswith("F1") else f1_ms
        cost = f" = {ms / f1_ms:4.1f} x F1" if f1_ms else ""
        database = f"  database {server_ms:5.2f} ms" if server_ms is not None else ""
        print(f"{name:<40} {ms:6.2f} ms{cost}  {len(queries):2d} queries  {len(body) / 1024:5.1f} KiB{database}")
        if args.profile:
            if os.environ.get("PROFILE_DUMP"):
                profiler.dump_stats(os.environ["PROFILE_DUMP"])
            stats = pstats.Stats(profiler).strip_dirs().sort_stats(args.sort)
            stats.print_stats(args.lines)
            if args.callers:
                stats.print_callers(args.callers)
            if args.requests <= 50:
                for sql in queries:
                    print(f"  {sql[:300]}")


def _server_clock(connection):
    """The CPU seconds the database server's process for this connection has
    used, read from /proc where the server runs on this machine (the bench's
    PostgreSQL); a clock that reads 0 elsewhere. Ticks of 10 ms: averaged
    over a page's requests (the mean, not the best round) it says what each
    request costs the database, which the page's own milliseconds leave out."""
    if connection.vendor != "postgresql":
        return lambda: 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
    ticks = os.sysconf("SC_CLK_TCK")

    def read():
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # not on this machine, or not ours to read
            return 0
        return (int(fields[11]) + int(fields[12])) / ticks

    return read


if __name__ == "__main__":
    main()
