"""Where a page's time goes, without a server or a load generator.

`make bench` says how fast each page is; this says why. It serves the same
pages as bench/run.py in one process, straight through Django's WSGI
handler (production settings, the scale's PostgreSQL database and Redis, as
`make bench` left them), and prints each page's milliseconds per request,
its database queries and its cost as a multiple of F1. With --profile it
runs one page under cProfile and prints where the time went.

    .venv/bin/python bench/profile_pages.py [--scale small] [--requests 200]
    .venv/bin/python bench/profile_pages.py --profile "booking" [--sort tottime]

Run `make bench` once first: it seeds the database this reads. The numbers
are of one thread (the best of five rounds), so they are steadier than
wrk's but leave out the server and the network.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import run as bench_run  # noqa: E402 -- bench/run.py, after the path is set


def environ(path, cookie):
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": bench_run.HOST,
        "SERVER_PORT": "80",
        "REMOTE_ADDR": bench_run.HOST,
        "HTTP_HOST": bench_run.HOST,
        "HTTP_COOKIE": cookie,
        "HTTP_ACCEPT_LANGUAGE": "en",
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["small", "large"], default="small")
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--profile", metavar="PAGE", help="profile the page whose name contains this")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime)")
    parser.add_argument("--lines", type=int, default=45)
    args = parser.parse_args()

    os.environ.update(bench_run.server_env(f"vaxfleet_bench_{args.scale}"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.signals import request_started
    from django.db import close_old_connections, connection

    # One connection for the whole run, as a gunicorn thread keeps it.
    request_started.disconnect(close_old_connections)
    from django.core.handlers.wsgi import WSGIHandler

    out = io.StringIO()
    call_command("bench_sessions", "--check-ins", "10", "--bookers", "10", "--racers", "10", stdout=out)
    fixture = json.loads(out.getvalue())
    handler = WSGIHandler()

    def serve(path, cookie):
        status = []
        body = b"".join(handler(environ(path, cookie), lambda s, h: status.append(s)))
        if not status[0].startswith("200"):
            raise SystemExit(f"{path} answered {status[0]}")
        return body

    pages = [("F1 (fortunes)", "/bench/f1/", None), *bench_run.pages(fixture)]
    if args.profile:
        pages = [page for page in pages if args.profile.lower() in page[0].lower()]
        if not pages:
            raise SystemExit(f"No page's name contains {args.profile!r}")
    f1_ms = None
    for name, path, who in pages:
        cookie = f"{fixture['cookie_name']}={fixture['sessions'][who]}" if who else ""
        for _ in range(20):  # warm the template cache, the connection and the QR cache
            serve(path, cookie)
        queries = []

        def counted(execute, sql, *rest, queries=queries):
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(counted):
            body = serve(path, cookie)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
        # The best of five rounds, as timeit does: the machine only ever adds time.
        rounds = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(max(1, args.requests // 5)):
                serve(path, cookie)
            rounds.append((time.perf_counter() - started) * 1000 / max(1, args.requests // 5))
        ms = min(rounds)
        if args.profile:
            profiler.disable()
        f1_ms = ms if f1_ms is None and path == "/bench/f1/" else f1_ms
        cost = f" = {ms / f1_ms:4.1f} x F1" if f1_ms else ""
        print(f"{name:<40} {ms:6.2f} ms{cost}  {len(queries):2d} queries  {len(body) / 1024:5.1f} KiB")
        if args.profile:
            stats = pstats.Stats(profiler).strip_dirs().sort_stats(args.sort)
            stats.print_stats(args.lines)
            if args.requests <= 50:
                for sql in queries:
                    print(f"  {sql[:300]}")


if __name__ == "__main__":
    main()
