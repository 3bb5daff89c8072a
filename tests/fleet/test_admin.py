import pytest
from django.urls import reverse

from tests.fleet.factories import AssignmentFactory, ClientMembershipFactory, DriverFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name", ["fleet_driver", "fleet_truck", "fleet_assignment", "fleet_client", "fleet_clientmembership"]
)
def test_admin_lists_and_add_forms_open(client, superuser, name):
    AssignmentFactory()
    ClientMembershipFactory(user=superuser)
    client.force_login(superuser)

    assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{name}_add")).status_code == 200


def test_admin_driver_search_finds_a_driver_by_current_truck_code(client, superuser):
    assignment = AssignmentFactory(truck__code="TRK-0042", driver__last_name="Zamora")
    DriverFactory(last_name="Other")
    client.force_login(superuser)

    response = client.get(reverse("admin:fleet_driver_changelist"), {"q": "trk-0042"})

    assert list(response.context["cl"].result_list) == [assignment.driver]


@pytest.mark.parametrize("value", ["attention", "expiring", "expired"])
def test_admin_driver_licence_filter_works(client, superuser, value):
    DriverFactory()
    client.force_login(superuser)

    assert client.get(reverse("admin:fleet_driver_changelist"), {"licence": value}).status_code == 200


def test_admin_autocomplete_finds_trucks_for_the_assignment_picker(client, superuser):
    AssignmentFactory(truck__code="TRK-0042")
    client.force_login(superuser)

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "fleet", "model_name": "assignment", "field_name": "truck", "term": "0042"},
    )

    assert [result["text"] for result in response.json()["results"]] == ["TRK-0042"]
