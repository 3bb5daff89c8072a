"""Demo clinics, vaccines and slots for `seed_demo`. Never run against production."""

import contextlib
from datetime import time, timedelta

from django.db import transaction

from fleet.demo import DEMO_DRIVER_TRUCK_CODE
from fleet.models import Truck
from vaccination.models import Appointment, Site, Slot, Vaccine

DEMO_DAYS = 14

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
    every demo clinic.
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
    if patient and not Appointment.objects.booked().filter(person=patient).exists():
        from vaccination.services import BookingError, book

        slot = Slot.objects.bookable().filter(start__date__gte=today + timedelta(days=2)).order_by("start").first()
        if slot:
            # BookingError: e.g. the patient was given every dose in an earlier demo; nothing to book.
            with contextlib.suppress(BookingError):
                book(person=patient, slot=slot)


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


def seed_screening(vaccines) -> None:
    """The demo's screening questions, on the first (two-dose) vaccine. Idempotent."""
    from vaccination.models import ScreeningQuestion

    for order, (text, text_es, clinician) in enumerate(SCREENING, start=1):
        ScreeningQuestion.objects.update_or_create(
            vaccine=vaccines[0],
            text=text,
            defaults={"text_es": text_es, "yes_needs_clinician": clinician, "order": order},
        )
