"""The Celery app: `celery -A project worker` and `celery -A project beat`
(Procfile). Its settings are the CELERY_* names in project/settings.py; the
tasks are each app's tasks.py."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("vaxfleet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def refuse_a_worker_without_a_broker(sender=None, **kwargs):
    """Without REDIS_URL tasks run inside the web process (eager) and the
    broker is an in-memory stand-in: a worker started on it would wait
    forever for tasks nobody can send it. Say so and stop."""
    if app.conf.task_always_eager or str(app.conf.broker_url).startswith("memory://"):
        raise SystemExit(
            "The Celery worker needs a broker: set REDIS_URL (or CELERY_BROKER_URL), e.g. redis://host:6379/0. "
            "Without one, tasks already run inside the web process and no worker is needed."
        )
