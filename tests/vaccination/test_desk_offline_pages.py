"""The desk as an installable web app (issue 18): its service worker, its
manifest, the words and settings the desk page hands its offline script,
and the sign-out that wipes the device."""

import json
import re

import pytest
from django.urls import reverse

from vaccination.models import Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(clinic_staff):
    site = Site.objects.create(name="Lakeside", address="Car park", time_zone="Europe/Madrid")
    site.staff.add(clinic_staff)
    return site


def test_the_service_worker_is_served_from_the_desk_folder_so_its_scope_covers_the_desk(client):
    response = client.get(reverse("clinic:desk-sw"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert reverse("clinic:desk-sw").rsplit("/", 1)[0] + "/" == reverse("clinic:checkin")
    text = response.content.decode()
    assert '"/static/js/desk-offline.js"' in text
    assert 'const DESK = "/clinic/checkin/";' in text


def test_the_service_worker_refuses_post(client):
    assert client.post(reverse("clinic:desk-sw")).status_code == 405


def test_the_manifest_names_the_desk_as_start_and_scope_in_the_users_language(client):
    response = client.get(reverse("clinic:desk-manifest"), HTTP_ACCEPT_LANGUAGE="es")

    assert response["Content-Type"] == "application/manifest+json"
    body = json.loads(response.content)
    assert body["start_url"] == body["scope"] == "/clinic/checkin/"
    assert body["display"] == "standalone"
    assert {icon["sizes"] for icon in body["icons"]} >= {"192x192", "512x512"}
    assert body["lang"] == "es"
    assert body["name"] != "VaxFleet check-in desk"


def test_the_desk_page_links_the_manifest_and_hands_its_script_the_roster_and_sync_urls(client, clinic_staff, site):
    client.force_login(clinic_staff)

    response = client.get(reverse("clinic:checkin"))

    html = response.content.decode()
    assert 'rel="manifest"' in html
    config = json.loads(re.search(r'id="desk-offline-config" type="application/json">(.*?)</script>', html).group(1))
    assert config["user"] == clinic_staff.pk
    assert config["site"] == site.pk
    assert config["syncUrl"] == f"/api/v1/checkins/sync/?site={site.pk}"
    words = json.loads(re.search(r'id="desk-words" type="application/json">(.*?)</script>', html).group(1))
    assert words["headlines"]["checked_in"] == "Checked in"
    assert words["offline_mark"] == "Offline — will sync"


def test_signing_out_tells_the_browser_to_wipe_the_desks_data(client, clinic_staff):
    client.force_login(clinic_staff)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_the_sign_out_page_itself_wipes_nothing(client, clinic_staff):
    client.force_login(clinic_staff)
    assert "Clear-Site-Data" not in client.get(reverse("account_logout"))
