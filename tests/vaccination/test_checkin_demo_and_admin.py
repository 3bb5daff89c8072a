"""Demo data, admin and permissions for the clinic desk and mobile clinics."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from fleet.demo import DEMO_DRIVER_TRUCK_CODE
from vaccination.checkin import check_in
from vaccination.models import CheckInLog, Site


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_puts_the_mobile_clinic_on_the_demo_drivers_truck_and_the_nurse_at_every_clinic():
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent

    mobile = Site.objects.get(is_mobile=True)
    assert mobile.truck.code == DEMO_DRIVER_TRUCK_CODE
    assert mobile.truck.current_assignment.driver.user.email == "driver@example.com"
    for site in Site.objects.all():
        assert list(site.staff.values_list("email", flat=True)) == ["staff@example.com"]


@pytest.mark.django_db
def test_clinic_staff_may_read_the_check_in_log(clinic_staff, person):
    assert clinic_staff.has_perm("vaccination.view_checkinlog")
    assert not clinic_staff.has_perm("vaccination.change_checkinlog")
    assert not person.has_perm("vaccination.view_checkinlog")


@pytest.mark.django_db
def test_a_fixed_clinic_with_a_truck_is_refused_by_the_form_validation(site):
    from fleet.models import Truck

    site.truck = Truck.objects.create(code="TRK-0007", plate="7777AAA", make="Iveco", model="Daily", year=2020)
    with pytest.raises(ValidationError):
        site.full_clean()


@pytest.mark.django_db
def test_the_admin_shows_the_check_in_log_read_only(admin_client, clinic_staff, site):
    site.staff.add(clinic_staff)
    log = check_in(code="ZZZZZZZZ", desk_user=clinic_staff, site=site)
    assert log.reason == "unknown"
    entry = CheckInLog.objects.get()

    assert admin_client.get(reverse("admin:vaccination_checkinlog_changelist")).status_code == 200
    response = admin_client.get(reverse("admin:vaccination_checkinlog_change", args=[entry.pk]))
    assert response.status_code == 200
    assert b'name="reason"' not in response.content  # shown, not editable
    assert admin_client.get(reverse("admin:vaccination_checkinlog_add")).status_code == 403
    assert admin_client.get(reverse("admin:vaccination_site_change", args=[site.pk])).status_code == 200
