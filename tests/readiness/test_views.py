import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fleet.models import Assignment, TruckStatus
from readiness.models import Defect, Inspection, InspectionAnswer
from readiness.uploads import PHOTO_MAX_BYTES
from tests.fleet.factories import AssignmentFactory, DriverFactory, TruckFactory
from tests.readiness.factories import (
    NOT_AN_IMAGE,
    PNG,
    ChecklistItemFactory,
    DocumentFactory,
    mobile_clinic_day,
    ready_truck,
)

pytestmark = pytest.mark.django_db
AT_RISK = reverse("readiness:at-risk")
INSPECT = reverse("readiness:inspect")


def expired(truck):
    return DocumentFactory(truck=truck, expires_on=timezone.localdate() - datetime.timedelta(days=1))


@pytest.fixture
def manager_client(client, fleet_manager):
    client.force_login(fleet_manager)
    return client


# /fleet/readiness/


def test_the_readiness_page_lists_each_day_at_risk_with_its_reason_and_booked_count(manager_client):
    truck = ready_truck()
    site, _day = mobile_clinic_day(truck, booked=7)
    expired(truck)
    ready_truck(truck__code="TRK-0999")  # a spare truck ready to take over

    response = manager_client.get(AT_RISK)

    html = response.content.decode()
    assert response.status_code == 200
    assert site.name in html
    assert "7 people booked" in html
    assert "Truck document expired: Insurance" in html
    assert "TRK-0999" in html  # offered as the replacement


def test_the_readiness_page_says_when_nothing_is_at_risk(manager_client):
    mobile_clinic_day(ready_truck())

    response = manager_client.get(AT_RISK)

    assert response.context["days"] == []
    assert "Every mobile clinic day is covered" in response.content.decode()


def test_clinic_staff_see_the_days_at_risk_without_the_reassign_forms(client, clinic_staff):
    truck = ready_truck()
    mobile_clinic_day(truck)
    expired(truck)
    client.force_login(clinic_staff)

    response = client.get(AT_RISK)

    assert len(response.context["days"]) == 1
    assert reverse("readiness:reassign-truck", args=[truck.mobile_sites.get().pk]) not in response.content.decode()


def test_the_readiness_page_refuses_anonymous_drivers_and_posts(client, driver, manager_client):
    assert manager_client.post(AT_RISK).status_code == 405
    client.logout()
    assert "/login/" in client.get(AT_RISK)["Location"]
    client.force_login(driver)
    assert client.get(AT_RISK).status_code == 403


def _at_risk_world(n):
    for i in range(n):
        truck = ready_truck(truck__code=f"RSK-{i:04d}")
        mobile_clinic_day(truck, days_ahead=i % 14)
        expired(truck)
        DocumentFactory(truck=truck, type__code="registration", type__name="Registration")
    ready_truck(truck__code="SPR-0001")
    DriverFactory()


@pytest.mark.parametrize("n", [1, 30])
def test_the_readiness_page_costs_the_same_number_of_queries_for_one_or_many_days(
    manager_client, django_assert_max_num_queries, n
):
    _at_risk_world(n)

    with django_assert_max_num_queries(16):
        response = manager_client.get(AT_RISK)

    assert len(response.context["days"]) == n


def test_reassigning_a_truck_from_the_page_moves_the_clinic(manager_client):
    broken = ready_truck()
    site, day = mobile_clinic_day(broken)
    expired(broken)
    spare = ready_truck()

    response = manager_client.post(
        reverse("readiness:reassign-truck", args=[site.pk]), {"truck": spare.pk, "day": day.isoformat()}
    )

    assert response.status_code == 302
    site.refresh_from_db()
    assert site.truck == spare
    assert manager_client.get(AT_RISK).context["days"] == []


def test_reassigning_a_truck_that_is_not_ready_says_why_and_changes_nothing(manager_client):
    broken = ready_truck()
    site, day = mobile_clinic_day(broken)
    unready = TruckFactory(status=TruckStatus.MAINTENANCE)

    response = manager_client.post(
        reverse("readiness:reassign-truck", args=[site.pk]), {"truck": unready.pk, "day": day.isoformat()}, follow=True
    )

    assert "is not ready" in response.content.decode()
    site.refresh_from_db()
    assert site.truck == broken


def test_reassign_answers_404_for_a_fixed_clinic_403_for_staff_and_405_for_get(client, clinic_staff, manager_client):
    truck = ready_truck()
    site, day = mobile_clinic_day(truck)
    site.is_mobile, site.truck = False, None
    site.save()
    url = reverse("readiness:reassign-truck", args=[site.pk])

    assert manager_client.post(url, {"truck": truck.pk, "day": day.isoformat()}).status_code == 404
    assert manager_client.get(url).status_code == 405
    client.force_login(clinic_staff)
    assert client.post(url).status_code == 403


def test_assigning_a_ready_driver_from_the_page_clears_the_day(manager_client):
    truck = ready_truck(driver__licence_expiry=timezone.localdate() - datetime.timedelta(days=1))
    _site, day = mobile_clinic_day(truck)
    replacement = DriverFactory()

    response = manager_client.post(
        reverse("readiness:assign-driver", args=[truck.pk]), {"driver": replacement.pk, "day": day.isoformat()}
    )

    assert response.status_code == 302
    assert Assignment.objects.get(truck=truck, until__isnull=True).driver == replacement
    assert manager_client.get(AT_RISK).context["days"] == []


# The driver's inspection


@pytest.fixture
def checklist():
    return [ChecklistItemFactory(name="Tyres", name_es="Neumáticos", critical=True), ChecklistItemFactory(name="Radio")]


@pytest.fixture
def my_truck(driver):
    return AssignmentFactory(driver__user=driver).truck


def inspection_data(my_truck, checklist, failed=(), **extra):
    data = {"truck": my_truck.pk, "odometer_km": "12000"}
    for item in checklist:
        data[f"item_{item.pk}"] = "fail" if item in failed else "pass"
        data[f"note_{item.pk}"] = "Flat" if item in failed else ""
    return {**data, **extra}


def test_a_driver_inspects_their_truck_and_a_critical_failure_takes_it_out_of_service(
    client, driver, my_truck, checklist
):
    client.force_login(driver)
    assert "Tyres" in client.get(INSPECT).content.decode()
    photo = SimpleUploadedFile("IMG_0001.jpg", PNG, content_type="image/jpeg")

    response = client.post(
        INSPECT, inspection_data(my_truck, checklist, failed=[checklist[0]], **{f"photo_{checklist[0].pk}": photo})
    )

    assert response.status_code == 302
    my_truck.refresh_from_db()
    assert my_truck.status == TruckStatus.MAINTENANCE
    answer = InspectionAnswer.objects.get(item=checklist[0])
    assert answer.photo.name.endswith(".png")  # named by its bytes, not by the phone
    assert Defect.objects.blocking().filter(truck=my_truck).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [(NOT_AN_IMAGE, "This is not a photo"), (b"\xff\xd8\xff" + b"0" * PHOTO_MAX_BYTES, "too large")],
)
def test_a_photo_that_is_not_an_image_or_too_large_is_a_form_error_and_nothing_is_saved(
    client, driver, my_truck, checklist, content, message
):
    client.force_login(driver)
    photo = SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg")

    response = client.post(INSPECT, inspection_data(my_truck, checklist, **{f"photo_{checklist[1].pk}": photo}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Inspection.objects.exists()


def test_an_inspection_posted_for_another_truck_is_refused(client, driver, my_truck, checklist):
    other = TruckFactory()
    client.force_login(driver)

    response = client.post(INSPECT, inspection_data(my_truck, checklist, truck=other.pk))

    assert "You can only inspect the truck you drive." in response.content.decode()
    assert not Inspection.objects.exists()


def test_a_failed_item_needs_a_note(client, driver, my_truck, checklist):
    client.force_login(driver)
    data = inspection_data(my_truck, checklist, failed=[checklist[1]])
    data[f"note_{checklist[1].pk}"] = ""

    response = client.post(INSPECT, data)

    assert "Say what is wrong." in response.content.decode()
    assert not Inspection.objects.exists()


def test_the_inspection_page_refuses_other_roles_and_puts_it_for_a_driver_without_truck(
    client, clinic_staff, driver, checklist
):
    client.force_login(clinic_staff)
    assert client.get(INSPECT).status_code == 403
    client.force_login(driver)
    assert "nothing to inspect" in client.get(INSPECT).content.decode()
    assert client.put(INSPECT).status_code == 405


def test_my_truck_page_offers_the_inspection(client, driver, my_truck, checklist):
    client.force_login(driver)

    assert INSPECT in client.get(reverse("fleet:me")).content.decode()


# Defects, photos, the truck page


def test_a_fleet_manager_closes_a_defect_and_the_truck_goes_back_into_service(manager_client):
    truck = ready_truck(truck__status=TruckStatus.MAINTENANCE)
    defect = Defect.objects.create(truck=truck, description="Brakes", critical=True)

    response = manager_client.post(
        reverse("readiness:close-defect", args=[defect.pk]), {"note": "New pads", "return_to_service": "on"}
    )

    assert response.status_code == 302
    truck.refresh_from_db()
    assert truck.status == TruckStatus.ACTIVE
    defect.refresh_from_db()
    assert defect.repair_note == "New pads"


def test_closing_a_defect_refuses_clinic_staff_unknown_defects_and_get(client, clinic_staff, manager_client):
    defect = Defect.objects.create(truck=TruckFactory(), description="Brakes", critical=True)
    url = reverse("readiness:close-defect", args=[defect.pk])

    assert manager_client.get(url).status_code == 405
    assert (
        manager_client.post(reverse("readiness:close-defect", args=[defect.pk + 99]), {"note": "x"}).status_code == 404
    )
    client.force_login(clinic_staff)
    assert client.post(url, {"note": "x"}).status_code == 403


def test_the_truck_page_shows_readiness_defects_services_documents_and_inspections(
    client, clinic_staff, driver, my_truck, checklist
):
    client.force_login(driver)
    client.post(INSPECT, inspection_data(my_truck, checklist, failed=[checklist[0]]))
    DocumentFactory(truck=my_truck, number="POL-777")
    client.force_login(clinic_staff)

    html = client.get(reverse("fleet:truck-detail", args=[my_truck.pk])).content.decode()

    assert "Not ready today." in html
    assert "Tyres: Flat" in html
    assert "POL-777" in html
    assert "12000 km" in html
    assert "Close as repaired" not in html  # clinic staff read only


def test_an_inspection_photo_is_served_to_fleet_readers_only(client, clinic_staff, driver, my_truck, checklist):
    client.force_login(driver)
    photo = SimpleUploadedFile("x.png", PNG, content_type="image/png")
    client.post(
        INSPECT, inspection_data(my_truck, checklist, failed=[checklist[0]], **{f"photo_{checklist[0].pk}": photo})
    )
    answer = InspectionAnswer.objects.get(item=checklist[0])
    url = reverse("readiness:inspection-photo", args=[answer.pk])

    assert client.get(url).status_code == 403
    client.force_login(clinic_staff)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    assert client.get(reverse("readiness:inspection-photo", args=[answer.pk + 99])).status_code == 404


def test_the_truck_and_driver_lists_filter_the_not_ready(client, clinic_staff):
    ready = ready_truck(truck__code="TRK-0001")
    broken = ready_truck(truck__code="TRK-0002")
    expired(broken)
    lapsed = DriverFactory(licence_expiry=timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(clinic_staff)

    trucks = client.get(reverse("fleet:truck-list"), {"readiness": "not_ready"}).context["page_obj"]
    drivers = client.get(reverse("fleet:driver-list"), {"readiness": "not_ready"}).context["page_obj"]

    assert [t.code for t in trucks] == ["TRK-0002"]
    assert [d.pk for d in drivers] == [lapsed.pk]
    assert ready.code in client.get(reverse("fleet:truck-list")).content.decode()


def test_the_day_board_of_a_mobile_clinic_flags_a_truck_that_is_not_ready(client, clinic_staff):
    truck = ready_truck(truck__status=TruckStatus.MAINTENANCE)
    site, _day = mobile_clinic_day(truck, days_ahead=0)
    site.staff.add(clinic_staff)
    client.force_login(clinic_staff)

    html = client.get(reverse("clinic:today"), {"site": site.pk}).content.decode()

    assert "This clinic day is at risk." in html
    assert "Truck not in service (In maintenance)" in html


def test_the_csv_export_has_a_row_per_truck_with_its_readiness(manager_client, client, clinic_staff):
    ready_truck(truck__code="TRK-0001")
    expired(ready_truck(truck__code="TRK-0002"))

    response = manager_client.get(reverse("readiness:export"))

    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("code,plate,status,ready_today,not_ready_reasons")
    assert lines[1].startswith("TRK-0001,")
    assert ",yes," in lines[1]
    assert "Truck document expired: Insurance" in lines[2]
    client.force_login(clinic_staff)
    assert client.get(reverse("readiness:export")).status_code == 403


def test_an_empty_inspection_says_what_is_missing_and_saves_nothing(client, driver, my_truck, checklist):
    client.force_login(driver)

    response = client.post(INSPECT, {"truck": my_truck.pk})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Inspection.objects.exists()
