"""The project's URLs plus one view that fails, to see the 500 page as a visitor would."""

from django.urls import path

from project.urls import urlpatterns as project_urlpatterns


def fail(request):
    raise RuntimeError("secret-internal-detail: password=hunter2 at /srv/app/db.py")


urlpatterns = [path("test-boom/", fail), *project_urlpatterns]
