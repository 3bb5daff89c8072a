from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from standby import services
from standby.errors import StandbyError
from standby.models import Offer, StandbyEntry
from tests.factories import UserFactory
from vaccination.models import Appointment, Site

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STANDBY_OFFERS_PER_DOSE = 2


def join(person, site, **kwargs):
    return services.join(person=person, site=site, arrive_within=kwargs.pop("arrive_within", 15), **kwargs)


def declare(site, vaccine, staff, at_clinic, doses=2, hour=15, minute=0):
    until = at_clinic(hour, minute)
    return services.declare_spare_doses(site=site, vaccine=vaccine, doses=doses, until=until, by=staff)


def link(offer):
    return reverse("standby:offer", args=[services.offer_token(offer)])


def test_joining_for_a_day_and_for_any_day_this_week(frozen, site, person):
    entry = join(person, site, day=site.today())
    assert (entry.first_day, entry.last_day) == (site.today(), site.today())
    services.leave(entry=entry)
    week = join(person, site, any_day=True)
    assert week.last_day == site.today() + timedelta(days=6)


def test_joining_a_closed_clinic_or_a_past_day_is_refused_and_changes_nothing(frozen, site, person):
    with pytest.raises(StandbyError) as past:
        join(person, site, day=site.today() - timedelta(days=1))
    site.is_active = False
    site.save()
    with pytest.raises(StandbyError) as closed:
        join(person, site, day=site.today())
    assert (past.value.code, closed.value.code) == ("past_day", "site_closed")
    assert not StandbyEntry.objects.exists()


def test_joining_twice_is_refused(frozen, site, person):
    join(person, site, day=site.today())
    with pytest.raises(StandbyError) as twice:
        join(person, site, any_day=True)
    assert twice.value.code == "already_waiting"


def test_spare_doses_are_offered_in_join_order_to_those_who_can_arrive_in_time(
    frozen, site, vaccine, clinic_staff, at_clinic, django_capture_on_commit_callbacks
):
    first, slow, second, third, fourth, fifth = UserFactory.create_batch(6)
    join(first, site, day=site.today())
    join(slow, site, day=site.today(), arrive_within=60)  # the doses run out in 30 minutes
    for person in (second, third, fourth, fifth):
        join(person, site, any_day=True)

    with django_capture_on_commit_callbacks(execute=True):
        spare = declare(site, vaccine, clinic_staff, at_clinic, doses=2, hour=12, minute=30)
    assert spare is not None
    offered = [offer.entry.person for offer in spare.offers.order_by("pk")]

    assert offered == [first, second, third, fourth]  # 2 per dose, the slow one skipped
    assert sorted(message.to[0] for message in mail.outbox) == sorted(p.email for p in offered)
    assert link(spare.offers.first()) in mail.outbox[0].body


def test_a_declaration_for_a_time_passed_is_refused(frozen, site, vaccine, clinic_staff, at_clinic):
    with pytest.raises(StandbyError) as passed:
        declare(site, vaccine, clinic_staff, at_clinic, hour=11)
    assert passed.value.code == "until_passed"


def test_the_first_to_accept_get_the_doses_the_late_one_is_told_and_stays(
    frozen, site, vaccine, clinic_staff, at_clinic, client
):
    people = UserFactory.create_batch(3)
    for person in people:
        join(person, site, day=site.today())
    spare = declare(site, vaccine, clinic_staff, at_clinic, doses=2)
    offers = list(spare.offers.order_by("pk"))

    for offer in offers[:2]:
        taken = services.accept_offer(token=services.offer_token(offer), person=offer.entry.person)
        assert taken.appointment.source == Appointment.Source.OFFER
        assert taken.appointment.status == Appointment.Status.BOOKED
    late = offers[2]
    with pytest.raises(StandbyError) as gone:
        services.accept_offer(token=services.offer_token(late), person=late.entry.person)

    assert gone.value.code == "gone"
    late.refresh_from_db()
    assert late.status == Offer.Status.GONE
    assert late.entry.is_active
    assert list(StandbyEntry.objects.active()) == [late.entry]


def test_an_offer_link_used_twice_late_by_another_or_forged_is_refused_and_changes_nothing(
    frozen, site, vaccine, clinic_staff, at_clinic, person, other_person, time_machine
):
    join(person, site, day=site.today())
    offer = declare(site, vaccine, clinic_staff, at_clinic).offers.get()
    token = services.offer_token(offer)

    for forged in (token[:-1] + ("A" if token[-1] != "A" else "B"), "1", "x" * 40):
        with pytest.raises(StandbyError) as refused:
            services.accept_offer(token=forged, person=person)
        assert refused.value.code == "forged"
    with pytest.raises(StandbyError) as refused:
        services.accept_offer(token=token, person=other_person)
    assert refused.value.code == "not_yours"
    assert not Appointment.objects.exists()

    services.accept_offer(token=token, person=person)
    with pytest.raises(StandbyError) as refused:
        services.accept_offer(token=token, person=person)
    assert refused.value.code == "used"
    assert Appointment.objects.count() == 1


def test_an_expired_offer_is_refused_and_goes_to_the_next_person(
    frozen, site, vaccine, clinic_staff, at_clinic, time_machine, settings
):
    settings.STANDBY_OFFERS_PER_DOSE = 1
    first, second = UserFactory.create_batch(2)
    join(first, site, day=site.today())
    join(second, site, day=site.today())
    offer = declare(site, vaccine, clinic_staff, at_clinic, doses=1).offers.get()
    assert offer.entry.person == first

    time_machine.move_to(at_clinic(12, 21), tick=False)
    with pytest.raises(StandbyError) as late:
        services.accept_offer(token=services.offer_token(offer), person=first)
    assert late.value.code == "expired"
    assert services.refresh_offers() == {"expired": 1, "sent": 1}

    offer.refresh_from_db()
    assert offer.status == Offer.Status.EXPIRED
    assert Offer.objects.get(status=Offer.Status.OPEN).entry.person == second


def test_accepting_replaces_the_later_appointment_the_person_held(
    frozen, site, vaccine, clinic_staff, at_clinic, person, make_slot
):
    later = make_slot(at_clinic(10, days=5))
    from vaccination.services import book

    held = book(person=person, slot=later)
    join(person, site, day=site.today())
    offer = declare(site, vaccine, clinic_staff, at_clinic).offers.get()

    taken = services.accept_offer(token=services.offer_token(offer), person=person)

    held.refresh_from_db()
    assert held.status == Appointment.Status.CANCELLED
    assert taken.appointment.slot == offer.spare.slot


def test_a_seat_cancelled_for_later_today_is_offered_to_the_standby_list(
    frozen, site, vaccine, at_clinic, person, other_person, make_slot, django_capture_on_commit_callbacks
):
    from vaccination.services import book, cancel

    slot = make_slot(at_clinic(14), capacity=1)
    appointment = book(person=other_person, slot=slot)
    join(person, site, day=site.today())

    with django_capture_on_commit_callbacks(execute=True):
        cancel(appointment=appointment, by=other_person)

    offer = Offer.objects.get()
    assert offer.entry.person == person
    taken = services.accept_offer(token=services.offer_token(offer), person=person)
    assert taken.appointment.slot == slot
    assert services.refresh_offers()["sent"] == 0  # the freed seat is offered once


def test_the_standby_page_lists_joins_and_leaves(client, frozen, site, person):
    client.force_login(person)
    assert client.get("/standby/").status_code == 200
    response = client.post(
        "/standby/", {"site": site.pk, "any_day": "0", "day": site.today().isoformat(), "arrive_within": 30}
    )
    assert response.status_code == 302
    entry = StandbyEntry.objects.get()
    assert site.name in client.get("/standby/").content.decode()

    assert client.post(reverse("standby:leave", args=[entry.pk])).status_code == 302
    entry.refresh_from_db()
    assert not entry.is_active


def test_the_standby_page_refuses_a_past_day_with_a_message(client, frozen, site, person):
    client.force_login(person)
    yesterday = (site.today() - timedelta(days=1)).isoformat()
    response = client.post("/standby/", {"site": site.pk, "any_day": "0", "day": yesterday, "arrive_within": 30})
    assert "That day has passed" in response.content.decode()
    assert not StandbyEntry.objects.exists()


def test_another_persons_entry_cannot_be_left(client, frozen, site, person, other_person):
    entry = join(person, site, day=site.today())
    client.force_login(other_person)
    assert client.post(reverse("standby:leave", args=[entry.pk])).status_code == 404
    assert client.get(reverse("standby:leave", args=[entry.pk])).status_code == 405
    entry.refresh_from_db()
    assert entry.is_active


def test_the_offer_page_accepts_and_opens_the_appointment(
    client, frozen, site, vaccine, clinic_staff, at_clinic, person, other_person
):
    join(person, site, day=site.today())
    offer = declare(site, vaccine, clinic_staff, at_clinic).offers.get()
    url = link(offer)
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(other_person)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    client.force_login(person)
    assert client.get(url).status_code == 200

    response = client.post(url)

    offer.refresh_from_db()
    assert response["Location"] == reverse("vaccination:appointment-detail", args=[offer.appointment_id])
    assert client.get(url).status_code == 302  # used: straight to the appointment


def test_the_spare_doses_page_declares_and_lists(client, frozen, site, vaccine, clinic_staff, person):
    join(person, site, day=site.today())
    client.force_login(clinic_staff)
    assert client.get("/clinic/spare-doses/").status_code == 200
    response = client.post(
        "/clinic/spare-doses/", {"site": site.pk, "vaccine": vaccine.pk, "doses": 2, "until": "15:00"}
    )
    assert response.status_code == 302
    assert Offer.objects.count() == 1
    page = client.get("/clinic/spare-doses/").content.decode()
    assert "1 offered, 0 accepted" in page


def test_the_spare_doses_page_is_for_clinic_staff(client, person):
    assert client.get("/clinic/spare-doses/").status_code == 302
    client.force_login(person)
    assert client.get("/clinic/spare-doses/").status_code == 403
    assert Site.objects.count() == 0


def test_the_standby_page_costs_the_same_queries_with_one_entry_or_many(
    client, frozen, site, person, django_assert_max_num_queries
):
    client.force_login(person)
    join(person, site, day=site.today())
    with django_assert_max_num_queries(12):
        client.get("/standby/")
    for n in range(5):
        other = Site.objects.create(name=f"Clinic {n}", address="x", time_zone="Europe/Madrid")
        join(person, other, any_day=True)
    with django_assert_max_num_queries(12):
        client.get("/standby/")


def test_the_spare_doses_page_costs_the_same_queries_with_one_batch_or_many(
    client, frozen, site, vaccine, clinic_staff, at_clinic, django_assert_max_num_queries
):
    client.force_login(clinic_staff)
    declare(site, vaccine, clinic_staff, at_clinic, doses=1)
    with django_assert_max_num_queries(14):
        client.get("/clinic/spare-doses/")
    for _n in range(5):
        declare(site, vaccine, clinic_staff, at_clinic, doses=1)
    with django_assert_max_num_queries(14):
        client.get("/clinic/spare-doses/")


def test_standby_entries_are_in_the_download_and_left_when_the_account_goes(
    frozen, site, vaccine, clinic_staff, at_clinic, person
):
    from accounts.personal_data import delete_account, export

    join(person, site, day=site.today())
    declare(site, vaccine, clinic_staff, at_clinic)
    section = export(person)["standby"]
    assert section[0]["clinic"] == site.name
    assert section[0]["offers"][0]["status"] == "open"

    delete_account(user=person)

    assert not StandbyEntry.objects.active().exists()
    assert Offer.objects.get().status == Offer.Status.WITHDRAWN
