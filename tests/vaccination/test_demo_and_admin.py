import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from accounts.demo import seed_accounts
from vaccination.demo import HISTORY_DAYS, seed_vaccination
from vaccination.models import Appointment, Site, Slot, Vaccine


@pytest.mark.django_db
def test_the_demo_has_three_clinics_one_mobile_two_vaccines_and_fourteen_days_of_slots():
    users = seed_accounts()
    seed_vaccination(users)
    slots = Slot.objects.count()
    seed_vaccination(users)

    assert Site.objects.count() == 3
    assert Site.objects.filter(is_mobile=True).count() == 1
    assert Vaccine.objects.count() == 2
    assert Slot.objects.count() == slots
    for site in Site.objects.all():
        days = {slot.local_start.date() for slot in site.slots.all()}
        coming = {day for day in days if day >= site.today()}
        assert min(coming) == site.today()
        assert len(coming) == 14
        # The past days of the demo history (seed_history), for the campaign overview.
        assert len(days - coming) == HISTORY_DAYS
    # The demo patient holds one booking of each vaccine (one per vaccine, issue 22.4).
    held = Appointment.objects.filter(person__email="patient@example.com", status="booked")
    assert sorted(held.values_list("vaccine__name", flat=True)) == sorted(
        Vaccine.objects.values_list("name", flat=True)
    )


@pytest.mark.django_db
def test_seeding_renames_the_old_mobile_clinic_instead_of_adding_a_fourth():
    Site.objects.create(name="Mobile Clinic TRK-0042", address="Lakeside", is_mobile=True)

    seed_vaccination(seed_accounts())

    assert Site.objects.count() == 3
    assert Site.objects.filter(name="Lakeside Mobile Clinic", is_mobile=True).exists()


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_seeds_the_vaccination_data_too():
    call_command("seed_demo")

    assert Site.objects.count() == 3


@pytest.mark.django_db
def test_clinic_staff_may_view_and_change_appointments_and_view_clinics_and_slots(clinic_staff):
    for perm in ["view_appointment", "change_appointment", "view_site", "view_slot"]:
        assert clinic_staff.has_perm(f"vaccination.{perm}")
    assert not clinic_staff.has_perm("vaccination.add_slot")


@pytest.mark.parametrize("model", ["vaccine", "site", "slot", "appointment"])
def test_the_admin_lists_each_model(admin_client, model, slot, person, make_appointment):
    make_appointment(person, slot)

    assert admin_client.get(reverse(f"admin:vaccination_{model}_changelist")).status_code == 200


def test_the_admin_action_generates_slots_for_the_chosen_clinics(admin_client, site, vaccine):
    url = reverse("admin:vaccination_site_changelist")
    form = admin_client.post(url, {"action": "generate_slots", "_selected_action": [site.pk]})
    data = {
        "action": "generate_slots",
        "_selected_action": [site.pk],
        "apply": "1",
        "vaccine": vaccine.pk,
        "start_date": "2030-01-07",
        "end_date": "2030-01-07",
        "opens": "09:00",
        "closes": "10:00",
        "minutes": "30",
        "capacity": "2",
    }

    admin_client.post(url, data)
    response = admin_client.post(url, data, follow=True)

    assert "Generate slots" in form.content.decode()
    assert Slot.objects.filter(site=site).count() == 2
    assert "0 slots created" in response.content.decode()
