"""Demo fleet for `seed_demo`: 50 drivers, 40 trucks, two client companies,
assignments with some history. Never run against production data."""

import datetime
import unicodedata

from django.utils import timezone

from fleet.models import Assignment, Client, ClientMembership, Driver, Truck, TruckStatus
from fleet.services import link_login

# The demo driver's truck; the booking app's demo mobile clinic rides on it.
DEMO_DRIVER_TRUCK_CODE = "TRK-0001"

CLIENTS = [
    ("Northwind Logistics", "Nina North", "fleet@northwind.example", "+34 910 000 001"),
    ("Sunrise Health Transport", "Sol Rivera", "ops@sunrise.example", "+34 910 000 002"),
]
FIRST_NAMES = [
    "Diego",
    "Lucía",
    "Hugo",
    "Martina",
    "Pablo",
    "Sofía",
    "Mateo",
    "Julia",
    "Leo",
    "Paula",
    "Daniel",
    "Valeria",
    "Álvaro",
    "Emma",
    "Adrián",
    "Carla",
    "Marco",
    "Alba",
    "Iván",
    "Noa",
    "Samuel",
    "Irene",
    "Bruno",
    "Vera",
    "Eric",
    "Lara",
    "Marc",
    "Claudia",
    "Izan",
    "Ana",
    "Thiago",
    "Elena",
    "Aitor",
    "Sara",
    "Gael",
    "Marta",
    "Óscar",
    "Nora",
    "Raúl",
    "Inés",
]
LAST_NAMES = [
    "Driver",
    "García",
    "Fernández",
    "González",
    "Rodríguez",
    "López",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Martín",
    "Jiménez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Muñoz",
    "Álvarez",
    "Romero",
    "Alonso",
    "Gutiérrez",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Gil",
    "Ramírez",
    "Serrano",
    "Blanco",
    "Molina",
    "Morales",
    "Suárez",
    "Ortega",
    "Delgado",
    "Castro",
    "Ortiz",
    "Rubio",
    "Marín",
    "Sanz",
    "Núñez",
    "Iglesias",
    "Medina",
    "Garrido",
    "Cortés",
    "Castillo",
    "Santos",
    "Lozano",
    "Guerrero",
    "Cano",
]
MAKES = [("Iveco", "Daily"), ("Mercedes-Benz", "Sprinter"), ("Renault", "Master"), ("Ford", "Transit"), ("MAN", "TGE")]


def demo_email(local_part: str, domain: str) -> str:
    """An address the app's own validation accepts: Django's EmailValidator
    (like most mail servers) takes ASCII local parts only, so "José Núñez"
    becomes jose.nunez."""
    ascii_part = unicodedata.normalize("NFKD", local_part).encode("ascii", "ignore").decode()
    return f"{ascii_part.lower().replace(' ', '')}@{domain}"


def seed_fleet(users) -> dict:
    """Create or refresh the demo fleet; link `driver@example.com` to a driver
    with a current truck and `client@example.com` to a client company.

    Idempotent: records are found again by client name, licence number and
    truck code; assignments are only created on the first run.
    """
    today = timezone.localdate()
    now = timezone.now()
    clients = []
    for name, contact, email, phone in CLIENTS:
        client, _ = Client.objects.update_or_create(
            name=name, defaults={"contact_name": contact, "contact_email": email, "contact_phone": phone}
        )
        clients.append(client)

    trucks = []
    for number in range(1, 41):
        make, model = MAKES[number % len(MAKES)]
        status = TruckStatus.RETIRED if number > 38 else TruckStatus.MAINTENANCE if number > 35 else TruckStatus.ACTIVE
        truck, _ = Truck.objects.update_or_create(
            code=f"TRK-{number:04d}",
            defaults={
                "plate": f"{1000 + number * 37:04d} {'BCDFGHJKLM'[number % 10]}{'NPRSTVWXYZ'[number % 7]}K",
                "make": make,
                "model": model,
                "year": 2014 + number % 11,
                "status": status,
            },
        )
        trucks.append(truck)

    drivers = []
    for number in range(1, 51):
        first_name = FIRST_NAMES[(number - 1) % len(FIRST_NAMES)]
        last_name = LAST_NAMES[number - 1]
        # A few licences expired or about to, so the warnings show.
        expiry_days = {3: -20, 7: 12, 11: 25, 15: -3, 19: 5}.get(number, 200 + number * 11)
        driver, _ = Driver.objects.update_or_create(
            licence_number=f"DL-{40000 + number * 7:06d}",
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "phone": f"+34 600 {number:03d} {number * 13 % 1000:03d}",
                "email": demo_email(f"{first_name}.{last_name}{number}", "drivers.example"),
                "date_of_birth": datetime.date(1965 + number % 30, 1 + number % 12, 1 + number % 28),
                "licence_expiry": today + datetime.timedelta(days=expiry_days),
                "address": f"Calle Mayor {number}\n280{number:02d} Madrid",
                "is_active": number <= 46,
                "client": clients[number % 2] if number % 5 else None,
            },
        )
        drivers.append(driver)

    demo_driver = drivers[0]
    if users.get("driver@example.com"):
        demo_driver.client = clients[0]
        demo_driver.save()
        # As a fleet manager would: the login email links the account and gives the role.
        Driver.objects.filter(login_email=users["driver@example.com"].email).exclude(pk=demo_driver.pk).update(
            login_email=""
        )
        link_login(driver=demo_driver, email=users["driver@example.com"].email)
    if users.get("client@example.com"):
        ClientMembership.objects.update_or_create(user=users["client@example.com"], defaults={"client": clients[0]})

    if not Assignment.objects.filter(driver__in=drivers).exists():
        fleet_manager = users.get("fleet@example.com")
        # History first: trucks 31-40 were driven by drivers 1-10 last year.
        for index in range(10):
            since = now - datetime.timedelta(days=400 - index * 10)
            Assignment.objects.create(
                driver=drivers[index],
                truck=trucks[30 + index],
                since=since,
                until=since + datetime.timedelta(days=180),
                assigned_by=fleet_manager,
                ended_by=fleet_manager,
            )
        # Then the current assignments: drivers 1-30 drive trucks 1-30;
        # trucks 31-35 are free, 36-40 out of service.
        for index in range(30):
            Assignment.objects.create(
                driver=drivers[index],
                truck=trucks[index],
                since=now - datetime.timedelta(days=200 - index * 5),
                assigned_by=fleet_manager,
            )
    return {"clients": clients, "drivers": drivers, "trucks": trucks}
