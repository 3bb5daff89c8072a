"""Demo walk-ins, standby list and people cared for, for `seed_demo`. Never run against production."""

import contextlib
from datetime import date

from accounts.dependents import add_dependent
from accounts.models import User
from standby import services
from standby.errors import StandbyError
from standby.models import StandbyEntry
from standby.walkins import register_walk_in
from vaccination.models import Appointment, Site, Vaccine

STANDBY_CLINIC = "Central Health Centre"
# (first name, last name, birth): people waiting at the demo clinic today, in this order.
WAITING = [("Wendy", "Waiting", date(1971, 4, 2)), ("Victor", "Vial", date(1988, 9, 30))]
WALK_IN = ("Walter", "Walkin", date(1959, 12, 1))
DEPENDENT = ("Sam", "Patient", date(2016, 6, 15), "son")


def seed_standby(users: dict) -> None:
    """A dependent of the demo patient, a standby list at the demo clinic
    (the patient among them, any day this week) and one walk-in checked in
    today if a seat is still free. Idempotent."""
    site = Site.objects.filter(name=STANDBY_CLINIC).first()
    patient = users.get("patient@example.com")
    nurse = users.get("staff@example.com")
    if site is None or patient is None:
        return
    first, last, born, relationship = DEPENDENT
    if not patient.dependents.filter(first_name=first).exists():
        add_dependent(carer=patient, first_name=first, last_name=last, date_of_birth=born, relationship=relationship)

    waiting = []
    for first, last, born in WAITING:
        person, created = User.objects.get_or_create(
            first_name=first,
            last_name=last,
            date_of_birth=born,
            defaults={"email": f"{first.lower()}@standby.example.org"},
        )
        if created:  # demo people on the list, not demo logins
            person.set_unusable_password()
            person.save(update_fields=["password"])
        waiting.append(person)
    for person in [*waiting, patient]:
        if not StandbyEntry.objects.active().filter(person=person, site=site).exists():
            services.join(person=person, site=site, any_day=True, arrive_within=30)

    vaccine = Vaccine.objects.order_by("name").last()  # the single-dose flu vaccine of the demo
    already = Appointment.objects.filter(source=Appointment.Source.WALK_IN, person__last_name=WALK_IN[1]).exists()
    if nurse is not None and vaccine is not None and not already:
        first, last, born = WALK_IN
        known = User.objects.filter(first_name=first, last_name=last, date_of_birth=born).first()
        # StandbyError: no seat left today (the demo was seeded late in the day): no walk-in then.
        with contextlib.suppress(StandbyError):
            register_walk_in(
                site=site,
                vaccine=vaccine,
                desk_user=nurse,
                first_name=first,
                last_name=last,
                date_of_birth=born,
                person=known,
            )
