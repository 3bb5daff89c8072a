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
# Where each demo clinic is and how to get in: made-up coordinates among the
# made-up towns of the demo's place table (places/data/sample_places.txt).
# (latitude, longitude, step-free access, parking, notes in English, in Spanish)
SITE_DETAILS = {
    "Central Health Centre": (
        40.4168,
        -3.7038,
        True,
        False,
        "Level entrance on Hospital Road; lift to the first floor. Bus stop at the door.",
        "Entrada sin escalones por Hospital Road; ascensor a la primera planta. Parada de autobús en la puerta.",
    ),
    "Northside Community Hall": (
        40.4830,
        -3.6900,
        False,
        True,
        "Three steps at the entrance; staff can bring you a ramp. Free car park behind the hall.",
        "Tres escalones en la entrada; el personal puede traerle una rampa. Aparcamiento gratuito detrás del edificio.",
    ),
    "Lakeside Mobile Clinic": (
        40.3500,
        -3.8200,
        True,
        True,
        "The van has a lift at the side door. Park in the shopping centre car park.",
        "La furgoneta tiene una plataforma elevadora en la puerta lateral. "
        "Aparque en el aparcamiento del centro comercial.",
    ),
}
# Who each vaccine is for and when to speak to a clinician first, in English and Spanish.
VACCINE_TEXTS = {
    "Comirnaty (COVID-19)": {
        "who_for": "People aged 65 and over, people with a long-term condition or a weak immune system, "
        "pregnant women, and health and care workers.",
        "who_for_es": "Personas de 65 años o más, personas con una enfermedad crónica o con las defensas bajas, "
        "embarazadas, y personal sanitario y sociosanitario.",
        "speak_to_clinician_if": "you had a serious allergic reaction to a vaccine before, or you had heart "
        "inflammation (myocarditis or pericarditis) after a COVID-19 vaccine.",
        "speak_to_clinician_if_es": "ha tenido antes una reacción alérgica grave a una vacuna, o tuvo una "
        "inflamación del corazón (miocarditis o pericarditis) después de una vacuna contra la COVID-19.",
    },
    "Influenza 2026/27": {
        "who_for": "People aged 60 and over, children from 6 months with a long-term condition, pregnant women, "
        "and people who live with or care for someone at risk.",
        "who_for_es": "Personas de 60 años o más, niños desde los 6 meses con una enfermedad crónica, embarazadas, "
        "y quienes conviven con una persona de riesgo o la cuidan.",
        "speak_to_clinician_if": "you had a serious allergic reaction to a flu vaccine or to egg, or you had "
        "Guillain-Barré syndrome after a vaccine.",
        "speak_to_clinician_if_es": "ha tenido una reacción alérgica grave a una vacuna de la gripe o al huevo, "
        "o tuvo el síndrome de Guillain-Barré después de una vacuna.",
    },
}
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
                name=name,
                defaults={"doses_required": doses, "min_days_between_doses": interval, **VACCINE_TEXTS.get(name, {})},
            )
            vaccines.append(vaccine)
        for name, address, mobile, opens, closes, minutes, seats in SITES:
            latitude, longitude, step_free, parking, notes, notes_es = SITE_DETAILS[name]
            site, _ = Site.objects.update_or_create(
                name=name,
                defaults={
                    "address": address,
                    "is_mobile": mobile,
                    "is_active": True,
                    "latitude": latitude,
                    "longitude": longitude,
                    "step_free_access": step_free,
                    "parking": parking,
                    "access_notes": notes,
                    "access_notes_es": notes_es,
                },
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
    today = [slot for slot in coming if slot.start.date() == now.date() and not slot.site.is_mobile]
    # The mobile clinic full from today on, but for today's first three times.
    mobile = [slot for slot in coming if slot.site.is_mobile]
    todays_first = [slot for slot in mobile if slot.start.date() == now.date()][:3]
    mobile = [slot for slot in mobile if slot not in todays_first]
    free = iter(people)
    # Today: every third slot half full, the day's first slots left free for
    # whoever walks through the demo (the screenshot script books those). The
    # mobile clinic's seats are set aside first: seeded in the early hours,
    # today's slots are all still ahead, and they took the people it needed
    # to show as nearly full (the overview's high-fill flag went missing).
    spare = len(people) - sum(slot.capacity for slot in mobile)
    today_wanted = []
    for slot in today[3::3]:
        seats = min(max(slot.capacity // 2, 1), spare)
        if seats <= 0:
            break
        today_wanted.append((slot, seats))
        spare -= seats
    wanted = today_wanted + [(slot, slot.capacity) for slot in mobile]
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
