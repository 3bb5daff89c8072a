import datetime
import json

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from accounts.models import User
from fleet.models import Driver, Truck
from vaccination.models import Appointment, Site


class Command(BaseCommand):
    help = (
        "Print, as JSON, a signed-in session cookie for each demo account and the ids of the records the "
        "measured pages show (for make bench)."
    )

    def handle(self, *args, **options):
        from django.conf import settings

        store_class: type[SessionBase] = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
        sessions = {}
        for user in User.objects.filter(email__endswith="@example.com"):
            session = store_class()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            sessions[user.email.split("@")[0]] = session.session_key
        site = Site.objects.filter(is_active=True, is_mobile=False).order_by("pk").first()
        appointment = Appointment.objects.filter(person__email="patient@example.com").order_by("-pk").first()
        ids = {
            "site": site.pk,
            "day": (site.today() + datetime.timedelta(days=1)).isoformat(),
            "appointment": appointment.pk if appointment else None,
            "driver": Driver.objects.order_by("pk").values_list("pk", flat=True).first(),
            "truck": Truck.objects.order_by("pk").values_list("pk", flat=True).first(),
        }
        self.stdout.write(json.dumps({"cookie_name": settings.SESSION_COOKIE_NAME, "sessions": sessions, "ids": ids}))
