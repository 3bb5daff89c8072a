"""Demo lots, stock and a week of truck temperatures with one excursion, for
`seed_demo` (which sends vaccination.demo.demo_seeded). Never run against production."""

import math
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from fleet import coldchain
from stock import services
from stock.models import Lot, StockMovement
from vaccination.models import Appointment, Site, Slot, Vaccine

COMIRNATY = "Comirnaty (COVID-19)"
FLU = "Influenza 2026/27"
# (vaccine, number, days to expiry, doses at each fixed clinic, doses on the truck)
LOTS = [
    (COMIRNATY, "FK8891", 200, 120, 0),
    (COMIRNATY, "FL0042", 20, 40, 0),  # expires soon: the warning on the stock page
    (FLU, "FLU-2611", 150, 80, 30),
    (COMIRNATY, "EX5120", 120, 0, 24),  # on the truck during the excursion: quarantined
]
EXCURSION_LOT = "EX5120"
# People given a dose from a quarantined lot after the excursion began.
DOSED = [("Ana", "García"), ("Ben", "Okafor"), ("Chen", "Wei")]


def seed_stock(*, users: dict, now=None) -> None:
    """Lots at the clinics and on the mobile clinic's truck (one expiring
    soon), three doses given from the truck's lots, and a week of one reading
    a minute from its fridge with a 40-minute excursion eight hours ago,
    which quarantines the truck's lots. Idempotent: a lot that exists is left alone."""
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    mobile = Site.objects.filter(is_mobile=True, truck__isnull=False).select_related("truck").first()
    staff = users.get("staff@example.com")
    if mobile is None or Lot.objects.filter(number=EXCURSION_LOT).exists():
        return
    truck = mobile.truck
    week_ago = now - timedelta(days=7)
    with transaction.atomic():
        fixed = list(Site.objects.filter(is_mobile=False))
        for vaccine_name, number, days, at_clinic, on_truck in LOTS:
            vaccine = Vaccine.objects.filter(name=vaccine_name).first()
            if vaccine is None:
                continue
            lot = Lot.objects.create(vaccine=vaccine, number=number, expires_on=now.date() + timedelta(days=days))
            for site in fixed:
                if at_clinic:
                    services.receive(lot=lot, quantity=at_clinic, site=site, by=staff, at=week_ago)
            if on_truck:
                services.receive(lot=lot, quantity=on_truck, truck=truck, by=staff, at=week_ago)
        _give_demo_doses(mobile, now - timedelta(hours=5), staff)
    readings = [(week_ago + timedelta(minutes=m), _celsius(m)) for m in range(7 * 24 * 60)]
    coldchain.record_readings(truck=truck, readings=readings)


def _celsius(minute: int) -> float:
    """A fridge at about 5 °C with a daily swing; 40 minutes at 10-11 °C eight hours before the end
    (so the truck page's 24-hour chart shows it)."""
    excursion_start = 7 * 24 * 60 - 8 * 60
    if excursion_start <= minute < excursion_start + 40:
        return round(10.2 + 0.8 * math.sin((minute - excursion_start) / 40 * math.pi), 1)
    return round(5.0 + 1.2 * math.sin(minute / 1440 * 2 * math.pi) + 0.1 * ((minute * 7) % 5 - 2), 1)


def _give_demo_doses(site: Site, when: datetime, staff) -> None:
    lot = Lot.objects.get(number=EXCURSION_LOT)
    # Five past the hour: never the start of a slot the demo timetable generates.
    start = when.replace(minute=5)
    slot, _created = Slot.objects.get_or_create(
        site=site, vaccine=lot.vaccine, start=start, defaults={"end": start + timedelta(minutes=30), "capacity": 4}
    )
    for index, (first, last) in enumerate(DOSED):
        person, _created = User.objects.get_or_create(
            email=f"{first.lower()}.{last.lower()}@example.com".replace("í", "i"),
            defaults={"first_name": first, "last_name": last},
        )
        given = start + timedelta(minutes=10 * index)
        appointment = Appointment.objects.create(
            person=person,
            slot=slot,
            status=Appointment.Status.CHECKED_IN,
            checked_in_at=given,
            checked_in_by=staff,
            checked_in_site=site,
            vaccine_lot=lot.number,
            dose_given_at=given,
            dose_given_by=staff,
        )
        Slot.objects.filter(pk=slot.pk).update(booked_count=F("booked_count") + 1)
        services._change(
            lot=lot,
            place=services.dose_place(site),
            delta=-1,
            kind=StockMovement.Kind.ADMINISTERED,
            by=staff,
            at=given,
            appointment=appointment,
        )
