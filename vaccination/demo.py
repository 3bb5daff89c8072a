"""Demo clinics, vaccines and slots for `seed_demo`. Never run against production."""

import contextlib
from datetime import date, time, timedelta

from django.db import transaction
from django.dispatch import Signal

from fleet.demo import DEMO_DRIVER_TRUCK_CODE
from fleet.models import Truck
from vaccination.models import Appointment, Site, Slot, Vaccine, new_confirmation_code
from vaccination.timetable import set_opening_hours, single_period

DEMO_DAYS = 14
FIRST_NAMES = ["Ana", "Luis", "Marta", "Jorge", "Elena", "Pablo", "Sara", "Iván", "Nora", "Hugo", "Lía", "Omar"]
# Sent by seed_demo after the vaccination demo (users: the demo accounts by
# email): the apps above vaccination (stock, readiness) seed their own demo
# data in answer.
demo_seeded = Signal()

VACCINES = [
    # (name, doses required, minimum days between doses)
    ("Comirnaty (COVID-19)", 2, 21),
    ("Influenza 2026/27", 1, 0),
]

SITES = [
    # (name, address, mobile, opens, closes, slot minutes, seats)
    ("Central Health Centre", "12 Hospital Road\nRiverside", False, time(9), time(17), 15, 4),
    ("Northside Community Hall", "3 Market Square\nNorthside", False, time(10), time(14), 20, 3),
    ("Lakeside Mobile Clinic", "Car park of the Lakeside shopping centre\nLakeside", True, time(9), time(13), 30, 2),
]
# Earlier demo databases named the mobile clinic after a truck that is not the
# one it rides on; seeding renames it rather than adding a fourth clinic.
RENAMED_SITES = {"Mobile Clinic TRK-0042": "Lakeside Mobile Clinic"}


def seed_vaccination(users: dict) -> None:
    """Create or refresh the demo clinics and vaccines, slots from today for
    DEMO_DAYS days, and one booked appointment for the demo patient. The
    mobile clinic rides on the demo driver's truck; the demo nurse works at
    every demo clinic; each clinic's opening hours are those of its slots.
    Idempotent: existing rows are kept, missing slots are added."""
    with transaction.atomic():
        for old, new in RENAMED_SITES.items():
            if not Site.objects.filter(name=new).exists():
                Site.objects.filter(name=old).update(name=new)
        vaccines = []
        for name, doses, interval in VACCINES:
            vaccine, _ = Vaccine.objects.update_or_create(
                name=name, defaults={"doses_required": doses, "min_days_between_doses": interval}
            )
            vaccines.append(vaccine)
        for name, address, mobile, opens, closes, minutes, seats in SITES:
            site, _ = Site.objects.update_or_create(
                name=name, defaults={"address": address, "is_mobile": mobile, "is_active": True}
            )
            if mobile:
                # The demo driver's truck brings the mobile clinic (None if the fleet was not seeded).
                site.truck = Truck.objects.filter(code=DEMO_DRIVER_TRUCK_CODE).first()
                site.save(update_fields=["truck"])
            if users.get("staff@example.com"):
                site.staff.add(users["staff@example.com"])
            if not site.opening_hours.exists():
                # Open every day, like its slots; a lead's later changes are kept.
                set_opening_hours(site=site, hours=single_period(opens=opens, closes=closes))
            today = site.today()
            for vaccine in vaccines:
                Slot.objects.generate(
                    site=site,
                    vaccine=vaccine,
                    first_day=today,
                    last_day=today + timedelta(days=DEMO_DAYS - 1),
                    opens=opens,
                    closes=closes,
                    minutes=minutes,
                    capacity=seats,
                )

    seed_screening(vaccines)
    patient = users.get("patient@example.com")
    # One booked appointment per vaccine: the patient holds COVID and flu together.
    for vaccine in vaccines if patient else ():
        if Appointment.objects.booked().filter(person=patient, vaccine=vaccine).exists():
            continue
        from vaccination.services import BookingError, book

        coming = Slot.objects.bookable().filter(vaccine=vaccine, start__date__gte=today + timedelta(days=2))
        slot = coming.order_by("start").first()
        if slot:
            # BookingError: e.g. the patient was given every dose in an earlier demo; nothing to book.
            with contextlib.suppress(BookingError):
                book(person=patient, slot=slot)
    seed_history(users)
    seed_screening_flags()


# People of the demo's history: they never sign in (unusable password), they
# only fill the clinics' past days and the mobile clinic's coming two weeks,
# so the campaign overview and the day boards show something.
HISTORY_DAYS = 13
HISTORY_PEOPLE = 450
HISTORY_DOMAIN = "people.example.org"
LOTS = {"Comirnaty (COVID-19)": ["CMN-2610A", "CMN-2611B"], "Influenza 2026/27": ["FLU-2609C", "FLU-2611D"]}


def seed_history(users: dict) -> None:
    """Past appointments at the demo clinics (doses given with their lots,
    no-shows, cancellations) for HISTORY_DAYS days, today's appointments at
    every clinic, and the mobile clinic nearly full for two weeks. Runs once:
    a database that already holds the history is left alone."""
    import random

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User

    if Appointment.objects.filter(person__email__endswith="@" + HISTORY_DOMAIN).exists():
        return
    rng = random.Random(2026)  # noqa: S311 # nosec B311 -- reproducible demo data, not a secret
    unusable = make_password(None)
    born = [date(1940 + n % 66, 1 + n % 12, 1 + n % 28) for n in range(HISTORY_PEOPLE)]
    User.objects.bulk_create(
        [
            User(
                email=f"person{n}@{HISTORY_DOMAIN}",
                first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                last_name=f"Demo {n}",
                password=unusable,
                date_of_birth=born[n],
            )
            for n in range(HISTORY_PEOPLE)
        ],
        ignore_conflicts=True,
    )
    people = list(User.objects.filter(email__endswith="@" + HISTORY_DOMAIN).order_by("pk"))
    nurse = users.get("staff@example.com")
    now = timezone.now()
    sites = list(Site.objects.filter(name__in=[name for name, *_ in SITES]))
    status = Appointment.Status
    new, counts = [], {}
    with transaction.atomic():
        for site, (_name, _address, _mobile, opens, closes, minutes, seats) in zip(
            sorted(sites, key=lambda s: [n for n, *_ in SITES].index(s.name)), SITES, strict=True
        ):
            today = site.today()
            for vaccine in Vaccine.objects.filter(name__in=LOTS):
                Slot.objects.generate(
                    site=site,
                    vaccine=vaccine,
                    first_day=today - timedelta(days=HISTORY_DAYS),
                    last_day=today - timedelta(days=1),
                    opens=opens,
                    closes=closes,
                    minutes=minutes,
                    capacity=seats,
                )
            # Days before today only: today's slots stay for the desk and the demo's visitors.
            past = Slot.objects.filter(
                site=site,
                start__gte=site.local_day_bounds(today - timedelta(days=HISTORY_DAYS))[0],
                start__lt=site.local_day_bounds(today)[0],
            )
            for slot in past.select_related("vaccine"):
                if rng.random() > 0.6:
                    continue
                for _seat in range(rng.randint(1, slot.capacity)):
                    person = rng.choice(people)
                    roll = rng.random()
                    appointment = Appointment(person=person, slot=slot, checked_in_site=site)
                    if roll < 0.08:
                        appointment.status, appointment.cancelled_at = status.CANCELLED, slot.start - timedelta(days=1)
                    elif roll < 0.2:
                        appointment.status = status.NO_SHOW
                    else:
                        appointment.status = status.CHECKED_IN
                        appointment.checked_in_at = slot.start + timedelta(minutes=2)
                        appointment.checked_in_by = nurse
                        appointment.dose_given_at = slot.start + timedelta(minutes=rng.randint(5, 14))
                        appointment.dose_given_by = nurse
                        appointment.vaccine_lot = rng.choice(LOTS[slot.vaccine.name])
                        if slot.vaccine.doses_required > 1 and rng.random() < 0.4:
                            appointment.dose_number = 2
                    if appointment.status != status.CANCELLED:
                        counts[slot.pk] = counts.get(slot.pk, 0) + 1
                    new.append(appointment)
        _book_coming_weeks(people, new, counts, now=now)
        for appointment in new:
            appointment.code = new_confirmation_code()
            appointment.vaccine_id = appointment.slot.vaccine_id  # bulk_create skips save()
        Appointment.objects.bulk_create(new, batch_size=500)
        slots = Slot.objects.in_bulk(list(counts))
        for pk, taken in counts.items():
            slots[pk].booked_count = min(taken, slots[pk].capacity)
        Slot.objects.bulk_update(slots.values(), ["booked_count"], batch_size=500)


def _book_coming_weeks(people, new, counts, *, now):
    """Each history person holds one booked appointment (the database allows
    no more): today's slots at every clinic first, then the mobile clinic's
    coming days until it is nearly full."""
    coming = list(
        Slot.objects.filter(start__gt=now, start__lt=now + timedelta(days=DEMO_DAYS), booked_count=0)
        .select_related("site")
        .order_by("start")
    )
    today = [slot for slot in coming if slot.start.date() == now.date()]
    mobile = [slot for slot in coming if slot.site.is_mobile and slot not in today]
    free = iter(people)
    # Today: every third slot half full, the day's first slots left free for
    # whoever walks through the demo (the screenshot script books those).
    wanted = [(slot, max(slot.capacity // 2, 1)) for slot in today[3::3]] + [(slot, slot.capacity) for slot in mobile]
    for slot, seats in wanted:
        for _seat in range(seats):
            person = next(free, None)
            if person is None:
                return
            new.append(Appointment(person=person, slot=slot))
            counts[slot.pk] = counts.get(slot.pk, 0) + 1


# (question in English, in Spanish, a yes needs a clinician) for the COVID-19 vaccine.
SCREENING = [
    (
        "Have you ever had a severe allergic reaction to a vaccine?",
        "¿Ha tenido alguna vez una reacción alérgica grave a una vacuna?",
        True,
    ),
    ("Are you pregnant or could you be?", "¿Está embarazada o podría estarlo?", True),
    ("Do you have a fever today?", "¿Tiene fiebre hoy?", True),
]


def seed_screening_flags() -> None:
    """A "yes" that needs a clinician for two of today's booked people at each
    clinic, so the desk and its offline roster show the flag. Idempotent."""
    from vaccination.models import ScreeningAnswer, ScreeningQuestion

    question = ScreeningQuestion.objects.filter(yes_needs_clinician=True, is_active=True).order_by("order").first()
    if question is None:
        return
    for site in Site.objects.all():
        start, end = site.local_day_bounds(site.today())
        todays = Appointment.objects.booked().filter(
            slot__site=site, slot__vaccine=question.vaccine, slot__start__gte=start, slot__start__lt=end
        )
        for appointment in todays.order_by("slot__start", "pk")[:2]:
            ScreeningAnswer.objects.get_or_create(appointment=appointment, question=question, defaults={"answer": True})


def seed_screening(vaccines) -> None:
    """The demo's screening questions, on the first (two-dose) vaccine. Idempotent."""
    from vaccination.models import ScreeningQuestion

    for order, (text, text_es, clinician) in enumerate(SCREENING, start=1):
        ScreeningQuestion.objects.update_or_create(
            vaccine=vaccines[0],
            text=text,
            defaults={"text_es": text_es, "yes_needs_clinician": clinician, "order": order},
        )
