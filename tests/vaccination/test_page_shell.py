"""Signed-in pages drawn once per language and set of roles (pagecache.shell,
issue 21) must be, byte for byte but the CSRF token, the page a full render
gives each reader: their name, their menus, their language, their address,
their messages."""

import re
import uuid
from unittest import mock

import pytest
import time_machine
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pagecache import shell
from tests.factories import UserFactory
from vaccination.checkin import check_in
from vaccination.models import Site

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture(autouse=True)
def nothing_kept():
    shell.forget_all()
    yield
    shell.forget_all()


def page(client, path, **headers) -> str:
    response = client.get(path, **headers)
    assert response.status_code == 200
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())


def full_render(client, path, settings, **headers) -> str:
    settings.DEBUG = True  # nothing kept: every part drawn for this reader
    try:
        return page(client, path, **headers)
    finally:
        settings.DEBUG = False


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    "who", ["person", "client_user", "clinic_staff", "fleet_manager", "campaign_lead", "superuser"]
)
def test_the_home_page_is_the_one_a_full_render_gives(request, who, language, settings):
    settings.STAFF_MFA_REQUIRED = False
    client = Client()
    client.force_login(request.getfixturevalue(who))

    kept = [page(client, "/", HTTP_ACCEPT_LANGUAGE=language) for _ in range(2)]

    assert kept[0] == kept[1] == full_render(client, "/", settings, HTTP_ACCEPT_LANGUAGE=language)


def test_two_people_of_the_same_roles_each_see_their_own_name():
    pat, sam = UserFactory(first_name="Pat"), UserFactory(first_name="Sam <b>")
    for person, name in ((pat, "Pat"), (sam, "Sam &lt;b&gt;")):
        client = Client()
        client.force_login(person)
        html = client.get("/").content.decode()
        assert f"Welcome back, {name}" in html
        assert f'aria-expanded="false">{name}</a>' in html


def test_each_page_carries_its_own_address_and_a_working_token(person, settings):
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    client.get(reverse("vaccination:appointment-list"))
    html = client.get(reverse("vaccination:appointment-list") + "?page=2&x=%22%3E").content.decode()

    assert '<input type="hidden" name="next" value="/appointments/?page=2&amp;x=%22%3E">' in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    answer = client.post(reverse("set_language"), {"language": "es", "csrfmiddlewaretoken": token})
    assert answer.status_code == 302


def test_a_message_to_flash_is_shown(client, person, slot, make_appointment):
    appointment = make_appointment(person, slot)
    client.force_login(person)
    client.get(reverse("vaccination:appointment-detail", args=[appointment.pk]))

    answer = client.post(reverse("vaccination:appointment-cancel", args=[appointment.pk]), follow=True)

    assert "Your appointment is cancelled" in answer.content.decode()
    assert "Your appointment is cancelled" not in client.get(reverse("vaccination:appointment-list")).content.decode()


def test_a_page_that_transforms_a_value_is_drawn_in_full(rf, person):
    request = rf.get("/")
    request.user = person
    request.session = {}
    request._messages = []
    # A template that prints {{ content|upper }}: the stand-in is not in its drawing.
    with (
        mock.patch("pagecache.shell.render_to_string", return_value="QUIET-STAND-IN"),
        mock.patch("pagecache.shell.django_render", return_value=HttpResponse("QUIET")) as full,
    ):
        answer = shell.render(request, "shouting.html", {"content": "quiet"})

    assert answer.content == b"QUIET"
    full.assert_called_once_with(request, "shouting.html", {"content": "quiet"})


def test_a_part_is_drawn_once_per_shape_and_each_call_gets_its_own_values_escaped(settings):
    settings.DEBUG = False
    template = "clinic/_desk_recent_row.html"
    drawings = []
    real = shell.render_to_string

    def counted(*args, **kwargs):
        drawings.append(args[0])
        return real(*args, **kwargs)

    with mock.patch("pagecache.shell.render_to_string", side_effect=counted):
        rows = [
            shell.fill(
                template,
                {"time": "09:0" + str(n), "reason": "unknown", "said": "<b>", "typed": f"A{n}"},
                has_appointment=False,
            )
            for n in range(3)
        ]
        other = shell.fill(
            template,
            {"time": "10:00", "reason": "checked_in", "said": "ok", "url": "/a/", "name": "Ana"},
            has_appointment=True,
        )

    assert drawings == [template, template]  # once per shape
    assert "09:00" in rows[0]
    assert "09:02" in rows[2]
    assert "A1" in rows[1]
    assert "&lt;b&gt;" in rows[0]
    assert "<b>" not in rows[0]
    assert '<a href="/a/">Ana</a>' in other


def test_a_part_that_transforms_a_value_is_drawn_in_full_each_time(settings):
    settings.DEBUG = False
    # A template that prints {{ name|upper }}: the stand-in is not in its drawing.
    with mock.patch("pagecache.shell.render_to_string", side_effect=["NO STAND-IN", "ANA", "BO"]) as drawn:
        assert shell.fill("shouting.html", {"name": "ana"}) == "ANA"
        assert shell.fill("shouting.html", {"name": "bo"}) == "BO"

    assert drawn.call_args_list[-1].args == ("shouting.html", {"name": "bo"})


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_persons_pages_are_the_ones_a_full_render_gives(client, person, slot, make_appointment, settings, language):
    appointment = make_appointment(person, slot)
    client.force_login(person)

    for path in (
        reverse("vaccination:appointment-list"),
        reverse("vaccination:appointment-detail", args=[appointment.pk]),
    ):
        kept = [page(client, path, HTTP_ACCEPT_LANGUAGE=language) for _ in range(2)]
        assert kept[0] == kept[1] == full_render(client, path, settings, HTTP_ACCEPT_LANGUAGE=language), path


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_driver_page_is_the_one_a_full_render_gives(client, fleet_manager, settings, language):
    from tests.fleet.factories import AssignmentFactory

    settings.STAFF_MFA_REQUIRED = False
    driver = AssignmentFactory().driver
    client.force_login(fleet_manager)
    path = reverse("fleet:driver-detail", args=[driver.pk])

    kept = [page(client, path, HTTP_ACCEPT_LANGUAGE=language) for _ in range(2)]

    assert kept[0] == kept[1] == full_render(client, path, settings, HTTP_ACCEPT_LANGUAGE=language)
    assert driver.full_name in kept[0]


def test_a_value_that_looks_like_a_stand_in_is_shown_as_it_is(client, person):
    from accounts.models import User

    User.objects.filter(pk=person.pk).update(first_name=shell.TOKEN)  # past the name's validator, as raw SQL would
    client.force_login(person)
    client.get("/")

    html = client.get("/").content.decode()

    assert f"Welcome back, {shell.TOKEN}" in html  # not the reader's CSRF token in its place


class _Forget(Exception):
    """Undoes what drawing a desk page changed, so the next draws the same page."""


ATTEMPT = re.compile(r'name="attempt" value="[^"]+"')
DESK_SCANS = {"no scan": None, "unknown": "ZZZZZZZZ", "checked in": "booked", "invalid": ""}


def desk_page(client, code, **headers) -> str:
    """The desk after a scan of `code` (a GET when None), what the scan changed undone."""
    try:
        with transaction.atomic():
            if code is None:
                response = client.get(reverse("clinic:checkin"), **headers)
            else:
                response = client.post(
                    reverse("clinic:checkin"), {"code": code, "attempt": uuid.uuid4().hex}, **headers
                )
            raise _Forget(response)
    except _Forget as forgotten:
        response = forgotten.args[0]
    assert response.status_code == 200
    return ATTEMPT.sub('name="attempt" value=""', TOKEN.sub('name="csrfmiddlewaretoken" value=""', response.text))


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("scan", DESK_SCANS)
def test_the_desk_is_the_page_a_full_render_gives(
    client, clinic_staff, site, person, make_slot, make_appointment, settings, language, scan
):
    settings.STAFF_MFA_REQUIRED = False
    site.staff.add(clinic_staff)
    Site.objects.create(name="Northside <Hall>", address="3 Market Square", is_mobile=True).staff.add(clinic_staff)
    with time_machine.travel(timezone.now().replace(hour=9, minute=0), tick=False):
        booked = make_appointment(person, make_slot(timezone.now().replace(hour=10)))
        check_in(code="YYYYYYYY", desk_user=clinic_staff, site=site)  # a last scan to list
        client.force_login(clinic_staff)
        client.get(reverse("clinic:checkin"), {"site": site.pk})  # the desk's clinic, kept in the session
        code = booked.code if DESK_SCANS[scan] == "booked" else DESK_SCANS[scan]

        kept = [desk_page(client, code, HTTP_ACCEPT_LANGUAGE=language) for _ in range(2)]
        assert any(key[0] == "clinic/desk.html" for key in shell._shells)  # drawn once, then kept
        # The answer and the last scans are kept too: none of their drawings lost a value.
        parts = {key[1]: drawing for key, drawing in shell._shells.items() if key[0] == "part"}
        assert ("clinic/_desk_answer.html" in parts) == (DESK_SCANS[scan] in ("ZZZZZZZZ", "booked"))
        assert None not in parts.values()
        settings.DEBUG = True  # nothing kept: every part drawn for this reader
        full = desk_page(client, code, HTTP_ACCEPT_LANGUAGE=language)

    assert kept[0] == kept[1] == full
    assert "Northside &lt;Hall&gt;" in full


def test_a_desk_without_a_clinic_is_the_page_a_full_render_gives(client, clinic_staff, settings):
    settings.STAFF_MFA_REQUIRED = False
    client.force_login(clinic_staff)

    kept = [page(client, reverse("clinic:checkin")) for _ in range(2)]

    assert kept[0] == kept[1] == full_render(client, reverse("clinic:checkin"), settings)
    assert "You are not assigned to a clinic yet." in kept[0]
