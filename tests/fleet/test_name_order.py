"""Names sort as people expect (accounts.collation): Álvarez before Blanco,
López before Lozano, and in Spanish ñ after n, on every driver list and export."""

import csv
import io

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from accounts.collation import by_name
from fleet.models import Driver
from tests.fleet.factories import ClientFactory, ClientMembershipFactory, DriverFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="ICU collations are PostgreSQL only; SQLite keeps the plain order"
    ),
]

SURNAMES = ["Lozano", "Blanco", "Álvarez", "López"]
EXPECTED = ["Álvarez", "Blanco", "López", "Lozano"]


@pytest.fixture
def drivers():
    acme = ClientFactory(name="Acme")
    return [DriverFactory(last_name=name, first_name="Ana", client=acme) for name in SURNAMES]


def _names(response):
    return [driver.last_name for driver in response.context["page_obj"]]


def test_the_driver_list_sorts_accented_names_by_the_alphabet(client, fleet_manager, drivers):
    client.force_login(fleet_manager)

    html = client.get(reverse("fleet:driver-list")).content.decode()

    positions = [html.index(f"{name}, Ana") for name in EXPECTED]
    assert positions == sorted(positions)


def test_the_driver_list_sorted_z_to_a_reverses_the_same_order(client, fleet_manager, drivers):
    client.force_login(fleet_manager)

    html = client.get(reverse("fleet:driver-list"), {"sort": "-name"}).content.decode()

    positions = [html.index(f"{name}, Ana") for name in reversed(EXPECTED)]
    assert positions == sorted(positions)


def test_the_csv_export_lists_names_in_the_same_order(client, fleet_manager, drivers):
    client.force_login(fleet_manager)

    response = client.get(reverse("fleet:driver-export"))

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["last_name"] for row in rows] == EXPECTED


def test_the_client_portal_lists_its_drivers_in_the_same_order(client, client_user, drivers):
    ClientMembershipFactory(client=drivers[0].client, user=client_user)
    client.force_login(client_user)

    response = client.get(reverse("fleet:client"))

    assert _names(response) == EXPECTED


def test_spanish_puts_n_with_tilde_after_n_and_english_does_not(db):
    for name in ["Muñoz", "Munuera"]:
        DriverFactory(last_name=name)

    with translation.override("es"):
        spanish = list(Driver.objects.order_by(*by_name("last_name")).values_list("last_name", flat=True))
    with translation.override("en"):
        english = list(Driver.objects.order_by(*by_name("last_name")).values_list("last_name", flat=True))

    assert spanish == ["Munuera", "Muñoz"]
    assert english == ["Muñoz", "Munuera"]
