"""What makes the check-in desk an installable web app that works offline:
its service worker, its web app manifest, and the words its script needs
when it answers a scan without the server (static/js/desk-offline.js)."""

import hashlib
import json

from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import json_script
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from pagecache.templatetags import layout
from vaccination import errors
from vaccination.offline import MAX_AGE, MAX_SCANS

# Everything the desk page loads: the service worker keeps a copy so the
# desk opens with no network.
DESK_ASSETS = (
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "css/vaxfleet.css",
    "css/vaccination.css",
    "css/clinic.css",
    "js/form-errors.js",
    "js/checkin-desk.js",
    "js/desk-offline.js",
    "js/desk-feedback.js",
    "vendor/jsqr/jsQR.js",
    "img/favicon.svg",
    "img/desk-icon-192.png",
)
# A desk result only the device can give: the code was scanned here, offline, before.
SCANNED_HERE = "scanned_here"


@require_safe
@never_cache
def service_worker(request):
    """The desk's service worker. Served from /clinic/checkin/ (not /static/)
    so that its scope, the folder it is served from, covers the desk. Its
    text names the hashed static files, so it changes, and browsers update
    it, whenever they do. Public: it holds no data, only file names."""
    assets = [static(name) for name in DESK_ASSETS]
    version = hashlib.sha256("\n".join(assets).encode()).hexdigest()[:12]
    context = {
        "assets": json.dumps(assets),
        "cache": json.dumps(f"vaxfleet-desk-{version}"),
        "desk_url": json.dumps(reverse("clinic:checkin")),
    }
    response = render(request, "clinic/desk_sw.js", context, content_type="text/javascript; charset=utf-8")
    return response


@require_safe
def manifest(request):
    desk = reverse("clinic:checkin")
    body = {
        "name": _("VaxFleet check-in desk"),
        "short_name": _("Check-in"),
        "description": _("Check people in at the clinic, with or without a network."),
        "lang": request.LANGUAGE_CODE,
        "start_url": desk,
        "scope": desk,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5d6b",
        "icons": [
            {"src": static("img/desk-icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/desk-icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return JsonResponse(body, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


def desk_words() -> dict:
    """The desk's words, translated now, for the script that answers offline:
    the same headlines and details as the server's answers."""
    return {
        "headlines": {
            **{reason: str(words) for reason, words in errors.CHECKIN_HEADLINES.items()},
            SCANNED_HERE: _("Already scanned here"),
            "not_synced": _("Not synced"),
            "dose_recorded": _("Dose recorded"),
        },
        "unknown": _("No appointment has the code %(code)s. Check the letters with the person."),
        "already": _("At %(time)s by %(name)s."),
        "scanned_here": _("Scanned on this device at %(time)s; it will be synced."),
        "wrong_day": _("Booked for %(when)s."),
        "cancelled": _("This appointment for %(when)s was cancelled. The person can book again."),
        "no_show": _("Booked for %(when)s and marked as missed. The person can book again."),
        "someone": _("someone"),
        "born": _("Born"),
        "booked_for": _("Booked for"),
        "dose": _("Dose"),
        "dose_n": _("dose %(n)s"),
        "code": _("Code"),
        "not_given": _("not given"),
        "not_checked_in": _("Not checked in."),
        "nothing_changed": _("Nothing changed."),
        "offline_mark": _("Offline — will sync"),
        "provisional": _("Provisional until synced."),
        "synced_mark": _("Synced"),
        "online": _("Online"),
        "offline": _("Offline"),
        "roster_of": _("Roster updated at %(time)s"),
        "no_roster": _("No roster on this device yet"),
        "queued": _("Waiting to sync: %(count)s"),
        "syncing": _("Syncing…"),
        "synced": _("All scans synced."),
        "sync_failed": _("Could not sync: %(message)s"),
        "sync_unreachable": _("the server did not answer. The scans stay on this device."),
        "offline_no_roster": _(
            "No roster on this device: the code was kept and will be checked when the network returns."
        ),
        "pending": _("Not checked yet"),
        "too_old": _(
            "Scanned more than %(hours)s hours ago, so it can no longer be checked in. Check it with the person."
        ),
        "server_says": _("Now: %(headline)s. %(message)s"),
        "offline_said": _("Offline: %(headline)s"),
        "clinician": _("Speak to a clinician first: %(questions)s"),
        "dose_heading": _("After the injection: record the dose"),
        "lot": _("Vaccine lot"),
        "no_lot_here": _("No usable lot on hand here"),
        "dose_given": _("Dose given"),
        "dose_queued": _("Dose recorded offline for %(name)s, lot %(lot)s; it will sync."),
    }


def _url(name: str) -> str:
    # Fixed addresses, kept like the layout's links (every scan draws them).
    return layout.kept(("url", name), lambda: reverse(name))


def desk_scripts(request, site) -> str:
    """The settings and words the desk page hands its offline script, as
    the page's JSON script elements; the words drawn once per language."""
    config = {
        "user": request.user.pk,
        "site": site.pk,
        "timeZone": site.time_zone,
        "language": request.LANGUAGE_CODE,
        "rosterUrl": _url("api:checkin-roster") + f"?site={site.pk}",
        "syncUrl": _url("api:checkin-sync") + f"?site={site.pk}",
        "serviceWorker": _url("clinic:desk-sw"),
        "desk": _url("clinic:checkin"),
        "maxScans": MAX_SCANS,
        "maxAgeHours": int(MAX_AGE.total_seconds() // 3600),
    }
    words = layout.kept(("desk-words",), lambda: json_script(desk_words(), "desk-words"))
    return json_script(config, "desk-offline-config") + words
