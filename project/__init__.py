# Load the Celery app with Django, so @shared_task binds to it (its settings,
# eager or not) in web processes and management commands as in the worker.
from project.celery import app as celery_app

__all__ = ["celery_app"]
