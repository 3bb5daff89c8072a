import datetime

import factory

from fleet.models import Assignment, Client, ClientMembership, Driver, Truck


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Client Company {n}")
    contact_name = "Carla Contact"


class ClientMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientMembership

    client = factory.SubFactory(ClientFactory)


class DriverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Driver

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    phone = factory.Sequence(lambda n: f"+34 600 {n:06d}")
    email = factory.Sequence(lambda n: f"driver{n}@example.org")
    licence_number = factory.Sequence(lambda n: f"LIC-{n:06d}")
    licence_expiry = datetime.date(2030, 1, 1)
    address = "1 Depot Road"


class TruckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Truck

    code = factory.Sequence(lambda n: f"TRK-{n:04d}")
    plate = factory.Sequence(lambda n: f"{n:04d} ABC")
    make = "Iveco"
    model = "Daily"
    year = 2022


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    driver = factory.SubFactory(DriverFactory)
    truck = factory.SubFactory(TruckFactory)
