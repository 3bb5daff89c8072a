"""gunicorn settings, read by `gunicorn project.wsgi` (Procfile, Dockerfile).

Each worker is a process with its own database connections; each thread
holds at most one. Connections in use = WEB_CONCURRENCY x GUNICORN_THREADS
per app server: keep that times the number of servers under PostgreSQL's
max_connections (docs/deploy.md).
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads let one worker overlap database and network waits; the app holds
# no per-process state, so threads are safe.
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
