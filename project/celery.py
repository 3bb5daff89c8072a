"""The Celery app: `celery -A project worker` and `celery -A project beat`
(Procfile). Its settings are the CELERY_* names in project/settings.py; the
tasks are each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("vaxfleet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
