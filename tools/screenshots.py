"""Current screenshots of the main screens, for docs/screenshots/ and the README.

Seeds the demo into a throwaway SQLite database, serves it on a free local
port, signs in as the demo roles and captures each screen in each language at
desktop (1280x800) and phone (390x844) size, as
docs/screenshots/<lang>-<desktop|phone>-<screen>.png:

    make screenshots                                   # LANGS=en,es
    .venv/bin/python scripts/screenshots.py --langs en

Needs the system Chromium (VAXFLEET_CHROMIUM, else `chromium` on the PATH).
"""

import argparse
import os
import shutil
import sys
import tempfile
import threading
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SCREENS = [
    "home",
    "find-clinic",
    "booking",
    "booking-check",
    "booking-complete",
    "confirmation",
    "checkin-green",
    "checkin-red",
    "checkin-offline",
    "checkin-offline-dose",
    "find-by-name",
    "day-board",
    "driver-list",
    "driver-detail",
    "standby",
    "people",
    "walk-in",
    "spare-doses",
    "offer",
    "campaign",
    "clinic-hours",
    "clinic-slots",
    "stock",
    "temperature-chart",
    "affected-doses",
    "readiness",
    "inspection",
    "hold",
    "driver-home",
]
BOOKER = "alex.morgan@example.org"
# Fictional people booked on the spot so each language and size checks a new person in.
VISITORS = ["Rosa Ramos", "Ali Hassan", "Mei Chen", "Jan Novak", "Ada Obi", "Lars Berg", "Ines Duarte", "Tom Reyes"]


def configure(database):
    os.environ.update(
        DJANGO_SETTINGS_MODULE="project.settings",
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_DEBUG="1",
        DJANGO_STAFF_MFA_REQUIRED="0",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        # Playwright's sync API runs an event loop in this thread; the ORM calls between its steps are safe.
        DJANGO_ALLOW_ASYNC_UNSAFE="true",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed():
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed at exit


def serve():
    """The app and its static files on a free port, in a background thread."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(StaticFilesHandler(get_wsgi_application()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def new_person(email, name, password=None):
    from allauth.account.models import EmailAddress

    from accounts.models import User

    first, last = name.split()
    person = User.objects.create_user(email=email, first_name=first, last_name=last, password=password)
    EmailAddress.objects.create(user=person, email=email, verified=True, primary=True)
    return person


def booked_today(site, vaccine, name):
    """A new person with a booked appointment for `vaccine` today at `site`, to check in."""
    from django.db.models import F
    from django.utils import timezone

    from vaccination.models import NO_SHOW_GRACE, Appointment, Slot

    person = new_person(f"{name.replace(' ', '.').lower()}@example.org", name)
    # A slot today the desk can still check in (check-in closes NO_SHOW_GRACE after a slot ends), with a seat.
    # Always one vaccine, the one with lots on hand: the spare doses' slot (another vaccine) is open today too.
    checkable = Slot.objects.filter(
        site=site, vaccine=vaccine, end__gt=timezone.now() - NO_SHOW_GRACE, booked_count__lt=F("capacity")
    )
    slot = next((s for s in checkable.order_by("start") if s.local_start.date() == site.today()), None)
    if slot is None:  # late in the day: the demo's slots are over, so open one now
        start = timezone.now().replace(second=0, microsecond=0)
        slot = Slot.objects.create(
            site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=10
        )
    Slot.objects.filter(pk=slot.pk).update(booked_count=F("booked_count") + 1)
    return Appointment.objects.create(person=person, slot=slot)


def sign_in(page, email):
    from django.core.cache import cache

    from accounts.demo import DEMO_PASSWORD

    # The script signs in some forty times a minute from one address, past
    # allauth's login limit: its counters live in this process's cache.
    cache.clear()
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def capture(browser, base_url, lang, size, out, visitor):
    from accounts.models import User
    from fleet.models import Driver, Excursion
    from vaccination.models import Appointment, Site, Vaccine

    central = Site.objects.get(name="Central Health Centre")
    covid = Vaccine.objects.get(name="Comirnaty (COVID-19)")
    context = browser.new_context(
        base_url=base_url, viewport=SIZES[size], locale=lang, extra_http_headers={"Accept-Language": lang}
    )
    page = context.new_page()

    def shot(screen, *, full_page=False):
        page.wait_for_load_state("networkidle")
        page.screenshot(path=out / f"{lang}-{size}-{screen}.png", full_page=full_page)

    def with_language(email=None):
        if email:
            # A signed-in person's pages follow the language kept on their
            # account, so that is what each run sets.
            User.objects.filter(email=email).update(language=lang)
            sign_in(page, email)
        context.add_cookies([{"name": "django_language", "value": lang, "url": base_url}])

    with_language()
    page.goto("/")
    shot("home")

    # The first steps: COVID-19 chosen, clinics nearest to a made-up town of the demo's place table.
    page.goto(f"/appointments/book/?vaccine={covid.pk}&q=Hillcrest")
    page.locator("#clinics-heading").evaluate("heading => heading.scrollIntoView({block: 'start'})")
    shot("find-clinic")

    with_language(BOOKER)  # a signed-in person without an appointment yet
    tomorrow = central.today() + timedelta(days=1)
    page.goto(f"/appointments/book/?vaccine={covid.pk}&site={central.pk}&day={tomorrow.isoformat()}")
    # The day and time steps on a desktop; on a phone the day list fills the screen, so the times.
    page.locator("#days-heading" if size == "desktop" else "#times-heading").evaluate(
        "heading => heading.scrollIntoView({block: 'start'})"
    )
    shot("booking")
    # Check your booking (GET: nothing is booked, so every run finds the same free time).
    page.locator("button[form=slot-form]").first.click()
    page.wait_for_url("**/appointments/book/check/**")
    shot("booking-check", full_page=True)

    with_language("patient@example.com")
    appointment = Appointment.objects.booked().filter(person__email="patient@example.com").first()
    page.goto(f"/appointments/{appointment.pk}/booked/")
    shot("booking-complete", full_page=True)
    page.goto(f"/appointments/{appointment.pk}/")
    shot("confirmation")

    arriving = booked_today(central, covid, visitor)
    # Booked before the desk opens, so it is in the roster the desk keeps offline
    # (staff land on the desk when they sign in, and it fetches the roster then).
    offline_arrival = booked_today(central, covid, f"{visitor.split()[0]} Offline")
    with_language("staff@example.com")
    page.goto(f"/clinic/checkin/?site={central.pk}")
    page.fill("#id_code", arriving.code)
    page.press("#id_code", "Enter")
    page.locator(".desk-result-ok").wait_for()
    page.wait_for_timeout(400)  # the desk puts its answer back in view once any scroll to the code field settles
    shot("checkin-green")
    page.fill("#id_code", arriving.code)
    page.press("#id_code", "Enter")
    page.locator(".desk-result-refused").wait_for()
    page.wait_for_timeout(400)  # the desk puts its answer back in view once any scroll to the code field settles
    shot("checkin-red")
    # The desk with no network (issue 18): answered from the roster on the device, then synced.
    page.goto(f"/clinic/checkin/?site={central.pk}")
    page.locator("html[data-desk-ready='1']").wait_for(state="attached")
    page.locator("#desk-roster-age[data-fetched]").wait_for(state="attached")
    context.set_offline(True)
    page.fill("#id_code", offline_arrival.code)
    page.press("#id_code", "Enter")
    page.locator(".desk-result-offline").wait_for()
    page.wait_for_timeout(400)  # the desk puts its answer back in view once any scroll to the code field settles
    page.screenshot(path=out / f"{lang}-{size}-checkin-offline.png")
    # The dose record offline, from the lots on hand in the roster; queued after its scan.
    lot = page.locator("#offline-lot")
    if lot.evaluate("field => field.tagName") == "FIELDSET":
        lot.locator("input").first.check()
    else:
        lot.fill("DEMO-LOT")
    page.screenshot(path=out / f"{lang}-{size}-checkin-offline-dose.png")
    page.locator("#desk-offline-dose button[type=submit]").click()
    context.set_offline(False)
    page.locator("#desk-queue-count[data-queued='0']").wait_for(state="attached")
    # Find by name and date of birth (issue 22), for a person without their code.
    found = booked_today(central, covid, f"{visitor.split()[0]} Found")
    found.person.date_of_birth = date(1956, 3, 14)
    found.person.save(update_fields=["date_of_birth"])
    name = f"{visitor.split()[0]} found".replace(" ", "+")
    page.goto(f"/clinic/find/?site={central.pk}&name={name}&day=14&month=3&year=1956")
    shot("find-by-name")
    page.goto(f"/clinic/today/?site={central.pk}")
    shot("day-board")

    with_language("fleet@example.com")
    page.goto("/fleet/drivers/")
    shot("driver-list")
    page.goto(Driver.objects.get(user__email="driver@example.com").get_absolute_url())
    shot("driver-detail")
    standby_screens(page, shot, with_language, central)

    with_language("lead@example.com")
    page.goto("/campaign/")
    shot("campaign", full_page=True)  # the charts, their tables and the exports, top to bottom
    # Setting up a clinic (issue 22.13): its week, and the preview of the slots it would get.
    page.goto(f"/campaign/clinics/{central.pk}/hours/")
    shot("clinic-hours")
    page.goto(f"/campaign/clinics/{central.pk}/slots/")
    page.select_option("#id_vaccine", index=1)  # 0 is the empty choice
    later = central.today() + timedelta(days=30)
    page.fill("#id_first_day", later.isoformat())
    page.fill("#id_last_day", (later + timedelta(days=6)).isoformat())
    page.locator("main form button[type=submit]").last.click()
    page.locator(".slot-preview").wait_for()
    shot("clinic-slots")
    excursion = Excursion.objects.order_by("-started_at").first()
    with_language("fleet@example.com")  # the truck page is the fleet's
    page.goto(f"/fleet/trucks/{excursion.truck_id}/")
    page.locator("#temperature-heading").evaluate("heading => heading.scrollIntoView({block: 'start'})")
    shot("temperature-chart")

    with_language("staff@example.com")
    page.goto(f"/clinic/stock/?site={central.pk}")
    shot("stock")

    with_language("lead@example.com")
    page.goto(f"/clinic/stock/excursions/{excursion.pk}/")
    page.locator("#doses-heading").evaluate("heading => heading.scrollIntoView({block: 'start'})")
    shot("affected-doses")

    with_language("fleet@example.com")
    page.goto("/fleet/readiness/")
    shot("readiness")

    with_language("driver@example.com")
    page.goto("/fleet/me/inspection/")
    shot("inspection")
    page.goto("/fleet/me/")  # a driver's home: the truck and the next trip
    shot("driver-home")
    context.close()

    # Booking without a password: the time an anonymous visitor picked is
    # held while they confirm their email (the hold lets its seat go on leaving).
    context = browser.new_context(
        base_url=base_url, viewport=SIZES[size], locale=lang, extra_http_headers={"Accept-Language": lang}
    )
    context.add_cookies([{"name": "django_language", "value": lang, "url": base_url}])
    page = context.new_page()
    page.goto(f"/appointments/book/?site={central.pk}&day={tomorrow.isoformat()}")
    page.locator("button[form='slot-form']").first.click()
    page.wait_for_url("**/appointments/book/check/**")  # check your booking, then Book holds the seat
    page.locator("main form[method=post] button[type=submit]").click()
    page.locator("form[action$='/appointments/hold/']").wait_for()
    shot("hold")
    page.locator("form[action$='/appointments/hold/release/'] button").click()
    page.wait_for_load_state()
    context.close()


def standby_screens(page, shot, with_language, central):
    """Walk-ins, spare doses and the standby list (issue 17)."""
    from django.utils import timezone

    from standby import services
    from standby.models import Offer
    from vaccination.models import Vaccine

    with_language("patient@example.com")
    page.goto("/standby/")
    shot("standby")
    page.goto("/appointments/people/")
    shot("people")

    with_language("staff@example.com")
    page.goto(f"/clinic/walk-in/?site={central.pk}")
    shot("walk-in")
    _start, day_end = central.local_day_bounds(central.today())
    until = min(timezone.now() + timedelta(hours=2), day_end - timedelta(minutes=1))
    vaccine = Vaccine.objects.order_by("name").last()
    services.declare_spare_doses(site=central, vaccine=vaccine, doses=2, until=until, by=page_user("staff@example.com"))
    page.goto(f"/clinic/spare-doses/?site={central.pk}")
    shot("spare-doses")

    with_language("patient@example.com")
    offer = Offer.objects.filter(entry__person__email="patient@example.com", status="open").last()
    page.goto(f"/standby/offers/{services.offer_token(offer)}/")
    shot("offer")


def page_user(email):
    from accounts.models import User

    return User.objects.get(email=email)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--langs", default="en,es", help="comma list of language codes (default: en,es)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    options = parser.parse_args()
    langs = [lang.strip() for lang in options.langs.split(",") if lang.strip()]
    chromium = os.environ.get("VAXFLEET_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    options.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="vaxfleet-screenshots-") as workdir:
        configure(Path(workdir) / "demo.sqlite3")
        seed()
        from accounts.demo import DEMO_PASSWORD

        new_person(BOOKER, "Alex Morgan", DEMO_PASSWORD)
        base_url = serve()
        from playwright.sync_api import sync_playwright

        visitors = iter(VISITORS)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            for lang in langs:
                for size in SIZES:
                    capture(browser, base_url, lang, size, options.out, next(visitors))
                    print(f"{lang} {size}: {len(SCREENS)} screens")
            browser.close()
    print(f"written to {options.out}")


if __name__ == "__main__":
    main()
