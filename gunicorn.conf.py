"""gunicorn settings, read by `gunicorn project.wsgi` (Procfile, Dockerfile).

Each worker is a process with its own database connections; each thread
holds at most one. Connections in use = WEB_CONCURRENCY x GUNICORN_THREADS
per app server: keep that times the number of servers under PostgreSQL's
max_connections (docs/deploy.md).

Memory budget (docs/deploy.md, "Memory budget"): a web worker must stay under
WEB_MEMORY_BUDGET_MB (256 MB by default), so two workers, the Celery worker
and beat fit a 512 MB dyno. What a worker holds is ~100 MB of code and caches
plus, per thread signing someone in, one Argon2 hash (19 MiB, accounts/hashers.py):
4 threads x 19 MiB = 76 MiB at worst. `make bench` fails when a worker passes it;
here a worker that passes it logs a warning (once) and is recycled after its
request, so a leak or a runaway page costs one restart, not the dyno.
"""

import logging
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads let one worker overlap database and network waits. What a process
# keeps for itself is shared safely by its threads and safe to lose: copies of
# page parts and layouts, and the outbox courier's queue of ids to hand to the
# broker (the outbox rows are the truth; the sweep sends what a lost queue held).
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Heroku's router gives up after 30 s; stop a stuck request before that so
# the log shows which one it was.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "25"))
graceful_timeout = 20
# The router keeps connections open between requests.
keepalive = 5
# Recycle workers now and then so a slow leak never grows unbounded.
max_requests = 50000
max_requests_jitter = 5000
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")

MEMORY_BUDGET_MB = int(os.environ.get("WEB_MEMORY_BUDGET_MB", "256"))
# Reading /proc costs microseconds; every 50th request is often enough to
# catch a worker that grows and cheap enough not to show in the bench.
_CHECK_EVERY = 50
_served = 0


def _rss_mb() -> float:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:  # not Linux: no check
        pass
    return 0.0


def post_request(worker, req, environ, resp):
    global _served
    _served += 1
    if _served % _CHECK_EVERY:
        return
    rss = _rss_mb()
    if rss > MEMORY_BUDGET_MB:
        logging.getLogger("gunicorn.error").warning(
            "worker %s holds %.0f MB, past WEB_MEMORY_BUDGET_MB=%s: recycling it", worker.pid, rss, MEMORY_BUDGET_MB
        )
        worker.alive = False  # finishes in-flight requests, then the arbiter starts a fresh one
