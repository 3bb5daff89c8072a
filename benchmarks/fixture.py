"""What one `make bench` run needs beside the seeded data, made fresh each run.

- signed-in sessions for the demo accounts and for a bench person with a
  history (their appointments, their booked appointment with its QR code);
- a desk clinic with `check_ins` appointments booked for today, each for a
  different person, and `desk_users` clinic staff who work there: the
  check-in POST scans each code once (a new person at the desk, the case that
  matters), spread over several desk users as a clinic's desks would be, so
  each stays under its own check-in rate limit;
- a booking clinic with seats for `bookers` people who hold no appointment
  yet, one POST each, and one slot of 10 seats for `racers` people who all
  want it at once (booking contention).

Everything it made last run is deleted first, so every run starts alike.
"""

import datetime
import math

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from accounts.roles import Role
from benchmarks import coldchain
from benchmarks.seeding import SITE_PREFIX, VACCINE_NAME, bench_code
from fleet.models import Driver, Truck
from vaccination.models import Appointment, CheckInLog, Site, Slot, Vaccine

DESK_SITE = "Bench desk"
BOOKING_SITE = "Bench booking"
CONTENTION_SEATS = 10
# Codes of the desk's appointments come after any the seed could have made.
DESK_CODE_OFFSET = 50_000_000


def build(*, desk_users=40, check_ins=6000, bookers=3000, racers=200, signers=20) -> dict:
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")

    def session(user):
        data = store()
        data[SESSION_KEY] = str(user.pk)
        data[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        data[HASH_SESSION_KEY] = user.get_session_auth_hash()
        data.create()
        return data.session_key

    vaccine = Vaccine.objects.filter(name=VACCINE_NAME).first() or Vaccine.objects.order_by("pk").first()
    with transaction.atomic():
        desk = _desk(vaccine, _users("desk", desk_users), _users("deskperson", check_ins))
        booking = _booking(vaccine, bookers, racers)
        signing_in = _signers(signers)

    demo = {user.email.split("@")[0]: session(user) for user in User.objects.filter(email__endswith="@example.com")}
    person = User.objects.filter(email="person0@bench.example").first() or User.objects.get(email="patient@example.com")
    demo["person"] = session(person)
    site = (
        Site.objects.filter(name__startswith=SITE_PREFIX).order_by("name").first()
        or Site.objects.filter(is_active=True, is_mobile=False).order_by("pk").first()
    )
    appointment = Appointment.objects.filter(person=person).order_by("-slot__start").first()
    driver = Driver.objects.filter(assignments__until__isnull=True).order_by("-pk").first()
    return {
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
        "sessions": demo,
        "ids": {
            "site": site.pk,
            "day": (site.today() + datetime.timedelta(days=1)).isoformat(),
            "appointment": appointment.pk if appointment else None,
            "driver": driver.pk if driver else Driver.objects.order_by("pk").values_list("pk", flat=True).first(),
            "truck": Truck.objects.order_by("pk").values_list("pk", flat=True).first(),
            "search": (driver.last_name[:5].lower() if driver else "diego"),
        },
        "checkin": {
            "site": desk["site"],
            "sessions": [session(user) for user in desk["staff"]],
            "codes": desk["codes"],
        },
        "booking": {
            "site_name": BOOKING_SITE,
            "sessions": [session(user) for user in booking["bookers"]],
            "slots": booking["slots"],
        },
        # Different people sign in at once: one person's parallel attempts
        # would meet allauth's per-account limit, a different subject.
        "signin": {"emails": signing_in, "password": DEMO_PASSWORD},
        "coldchain": coldchain.build(),
        "contention": {
            "slot": booking["contention_slot"],
            "seats": CONTENTION_SEATS,
            "sessions": [session(user) for user in booking["racers"]],
        },
    }


def _users(kind, count):
    """`count` bench users named kind0..kindN@bench.example, made once."""
    emails = [f"{kind}{n}@bench.example" for n in range(count)]
    have = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(email=email, first_name=kind.capitalize(), last_name=f"N{n}", password=unusable)
            for n, email in enumerate(emails)
            if email not in have
        ],
        batch_size=2000,
    )
    users = {user.email: user for user in User.objects.filter(email__in=emails)}
    return [users[email] for email in emails]


def _signers(count):
    """People who sign in with the demo password (hashed once: same password, same hash)."""
    people = _users("signin", count)
    password = make_password(DEMO_PASSWORD)
    User.objects.filter(pk__in=[person.pk for person in people]).update(password=password)
    have = set(EmailAddress.objects.filter(user__in=people).values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=person, email=person.email, verified=True, primary=True)
            for person in people
            if person.pk not in have
        ]
    )
    return [person.email for person in people]


def _clear_site(name, persons=()):
    site = Site.objects.filter(name=name).first()
    if site is None:
        return
    gone = Appointment.objects.filter(slot__site=site) | Appointment.objects.filter(person__in=persons)
    CheckInLog.objects.filter(site=site).delete()
    CheckInLog.objects.filter(appointment__in=gone).delete()
    gone.delete()
    Slot.objects.filter(site=site).delete()


def _desk(vaccine, staff, persons):
    """Today's desk: every person booked once, at slots through the day."""
    _clear_site(DESK_SITE, persons)
    site, _ = Site.objects.get_or_create(name=DESK_SITE, defaults={"address": "1 Desk Lane\nBenchtown"})
    group = Group.objects.get(name=Role.CLINIC_STAFF.value)
    group.user_set.add(*staff)
    site.staff.set(staff)
    slots = 40
    # From 08:00, or from half an hour ago when later: a slot that ended more
    # than NO_SHOW_GRACE ago can no longer be checked in (an evening run of
    # make scaleout scanned no-shows). All of them today, at the clinic.
    day_starts = datetime.datetime.combine(site.today(), datetime.time(8), tzinfo=site.tzinfo)
    start = max(day_starts, timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(minutes=30))
    tomorrow = site.today() + datetime.timedelta(days=1)
    midnight = datetime.datetime.combine(tomorrow, datetime.time(0), tzinfo=site.tzinfo)
    length = min(datetime.timedelta(minutes=15), (midnight - start) / slots)
    capacity = max(1, math.ceil(len(persons) / slots))
    created = Slot.objects.bulk_create(
        [
            Slot(
                site=site,
                vaccine=vaccine,
                start=start + length * n,
                end=start + length * (n + 1),
                capacity=capacity,
                booked_count=0,
            )
            for n in range(slots)
        ]
    )
    appointments = [
        Appointment(person=person, slot=created[n % slots], vaccine=vaccine, code=bench_code(DESK_CODE_OFFSET + n))
        for n, person in enumerate(persons)
    ]
    Appointment.objects.bulk_create(appointments, batch_size=2000)
    for n, slot in enumerate(created):
        slot.booked_count = len(range(n, len(persons), slots))
    Slot.objects.bulk_update(created, ["booked_count"])
    return {"site": site.pk, "staff": staff, "codes": [appointment.code for appointment in appointments]}


def _booking(vaccine, bookers, racers):
    """Free seats tomorrow for every booker; one slot of CONTENTION_SEATS for the racers."""
    booking_people = _users("booker", bookers)
    racing_people = _users("racer", racers)
    _clear_site(BOOKING_SITE, [*booking_people, *racing_people])
    site, _ = Site.objects.get_or_create(name=BOOKING_SITE, defaults={"address": "2 Booking Road\nBenchtown"})
    tomorrow = site.today() + datetime.timedelta(days=1)
    start = datetime.datetime.combine(tomorrow, datetime.time(8), tzinfo=site.tzinfo)
    slots = 40
    capacity = min(30_000, max(1, math.ceil(bookers / slots)))
    created = Slot.objects.bulk_create(
        [
            Slot(
                site=site,
                vaccine=vaccine,
                start=start + datetime.timedelta(minutes=15 * n),
                end=start + datetime.timedelta(minutes=15 * (n + 1)),
                capacity=capacity,
            )
            for n in range(slots)
        ]
    )
    contention_start = start + datetime.timedelta(days=1)
    contention = Slot.objects.create(
        site=site,
        vaccine=vaccine,
        start=contention_start,
        end=contention_start + datetime.timedelta(minutes=15),
        capacity=CONTENTION_SEATS,
    )
    return {
        "bookers": booking_people,
        "racers": racing_people,
        "slots": [slot.pk for slot in created],
        "contention_slot": contention.pk,
    }


def contention_outcome(slot_id) -> dict:
    """What the database says after the race: seats taken and appointments made."""
    slot = Slot.objects.get(pk=slot_id)
    booked = Appointment.objects.filter(slot=slot).exclude(status=Appointment.Status.CANCELLED).count()
    return {"capacity": slot.capacity, "booked_count": slot.booked_count, "appointments": booked}
