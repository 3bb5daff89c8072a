from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Q, Sum
from django.db.models.functions import TruncDate
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import dependents
from pagecache import fragments, shell
from places.models import PLACES
from places.search import rounded
from ratelimits import consume_or_429
from vaccination import errors, finder, own_pages, screening, services, views_holds
from vaccination.confirmation import calendar_file, qr_svg
from vaccination.forms import PickerForm, ScreeningForm, SlotForm
from vaccination.models import BOOKING_DAYS_AHEAD, FREE_SEATS, NO_SHOW_GRACE, Appointment, Slot
from vaccination.services import BookingError

DAYS_AHEAD = BOOKING_DAYS_AHEAD
# The longest a cached picker is shown (pagecache.fragments): outside a burst
# of bookings every change shows at once; during one, seat counts may be this
# old (SEATS_BUMP_SECONDS), and a time that has just filled or started is
# refused with "just taken" when booked.
PICKER_SECONDS = 5
PAGE_SIZE = 10


def _own_appointment(request, pk):
    """The signed-in person's appointment, or 404: another person's is never revealed."""
    return get_object_or_404(Appointment.objects.of(request.user).with_details().select_related("person"), pk=pk)


def _picker(request, *, url, button_label, can_submit=True, vaccine=None, exclude_slot=None, person=None):
    """Choosing a vaccine (unless `vaccine` is fixed), a clinic nearest to a
    town, postcode or the browser's location (vaccination.finder), a day and
    a free time, rendered: {"picker": HTML, "holding": the person's booked
    appointments, "current": the one of `vaccine` (any, without one) or
    None}. can_submit=None: buttons unless the person already holds an
    appointment of the picker's `vaccine`.

    What the picker shows is the same for everyone with the same dose
    history asking the same question (the GET parameters, coordinates
    rounded), so it is rendered once into the shared cache and kept there
    until a seat is taken or freed, or a clinic, vaccine, slot (FREE_SEATS)
    or place (PLACES) changes, and at most PICKER_SECONDS. The slot buttons submit a
    form outside it that holds this visitor's CSRF token. A miss costs a
    constant number of queries, however many clinics, days and slots."""
    picker = PickerForm(request.GET)
    params = picker.valid_params()
    mine = _doses_and_current(person) if person is not None and person.is_authenticated else None
    last = services.latest_doses(mine) if mine is not None else {}
    # A booking the person missed holds nothing: the booking service marks it
    # a no-show, so the buttons are offered again (see services.mark_no_shows).
    # One booked appointment per vaccine: what the person holds, and whether
    # it rules out the vaccine this picker offers.
    holding = [a for a in mine if a.is_holding] if mine is not None else []
    current = next((a for a in holding if vaccine is None or a.slot.vaccine_id == vaccine.pk), None)
    if can_submit is None:
        can_submit = vaccine is None or current is None
    # Coordinates are rounded before anything reads them: the page is the
    # same for everyone within about a kilometre, so the cache serves it.
    for key in ("lat", "lon"):
        if params.get(key) is not None:
            params[key] = rounded(params[key])

    def render_picker():
        context = _picker_context(params, vaccine=vaccine, exclude_slot=exclude_slot, last=last)
        context.update({"picker_url": url, "button_label": button_label, "can_submit": can_submit})
        context["bad_location"] = bool({"lat", "lon"} & set(picker.errors)) or (
            (params.get("lat") is None) != (params.get("lon") is None)
        )
        context["bad_query"] = "q" in picker.errors
        return render_to_string("vaccination/_picker.html", context, request)

    history = sorted((v, a.dose_number, a.dose_given_at.isoformat()) for v, a in last.items())
    chosen = tuple(params.get(key) for key in finder.PARAMS)
    vary_on = (url, can_submit, chosen, sorted(picker.errors), history)
    html = fragments.cached_html("picker", (FREE_SEATS, PLACES), vary_on, render_picker, timeout=PICKER_SECONDS)
    return {"picker": html, "picker_url": url, "current": current, "holding": holding}


def _picker_context(params, *, vaccine, exclude_slot, last):
    """The steps of the picker: the vaccine (unless `vaccine` is fixed, as
    when moving an appointment), the clinics nearest first, the chosen
    clinic's days and the chosen day's free times, all for that vaccine."""
    links = finder.Links(params)
    vaccines = None
    if vaccine is None:
        vaccines = finder.vaccines_offered()
        vaccine = next((v for v in vaccines if v.pk == params.get("vaccine")), None)
        for option in vaccines:
            option.link = links.to(vaccine=option.pk)
    free = Slot.objects.offered()
    if vaccine is not None:
        free = free.filter(vaccine=vaccine)
    if exclude_slot is not None:
        free = free.exclude(pk=exclude_slot.pk)
    search = finder.where_from(params)
    sites = finder.clinics(free=free, vaccine=vaccine, origin=search.origin, links=links)
    site = next((s for s in sites if s.pk == params.get("site")), None)
    context = {
        "vaccines": vaccines,
        "vaccine": vaccine,
        "search": search,
        "choice_links": [(choice, links.to(q=choice)) for choice in search.choices],
        "suggestion_links": [(name, links.to(q=name)) for name in search.suggestions],
        "change_vaccine_link": links.to(vaccine=""),
        "clear_search_link": links.to(q=""),
        # Moving an appointment keeps its vaccine: no vaccine step there.
        "steps": dict(zip(("clinic", "day", "time"), range(1 if vaccines is None else 2, 5), strict=False)),
        "sites": sites,
        "site": site,
        "days": [],
        "day": None,
        "slots": [],
    }
    if site is None:
        return context

    today = site.today()
    horizon = timezone.now() + timedelta(days=DAYS_AHEAD + 1)
    by_day = dict(
        free.filter(site=site, start__lt=horizon)
        .order_by()
        .annotate(day=TruncDate("start", tzinfo=site.tzinfo))
        .values("day")
        .annotate(seats=Sum(F("capacity") - F("booked_count")))
        .values_list("day", "seats")
    )
    days = [(today + timedelta(days=n)) for n in range(DAYS_AHEAD)]
    context["days"] = [{"date": day, "seats": by_day.get(day, 0), "link": links.to(day=day)} for day in days]
    day = params.get("day")
    if day not in days:
        day = next((d for d in days if by_day.get(d)), today)
    context["day"] = day
    slots = list(free.on_local_day(site, day).select_related("site", "vaccine").order_by("start", "vaccine__name"))
    for slot in slots:
        try:
            slot.dose = services.dose_after(
                last.get(slot.vaccine_id), vaccine=slot.vaccine, when=slot.start, site=slot.site
            )
        except BookingError as error:
            slot.refusal = errors.booking_message(error)
    context["slots"] = slots
    return context


def _doses_and_current(person):
    """The person's given doses and their upcoming appointment, in one query:
    what the picker needs to say which dose each time would be."""
    return list(
        Appointment.objects.filter(person=person)
        .filter(
            Q(dose_given_at__isnull=False)
            | Q(status=Appointment.Status.BOOKED, slot__end__gt=timezone.now() - NO_SHOW_GRACE)
        )
        .with_details()
        .order_by("dose_number", "pk")
    )


def _picker_url(name, slot=None, **kwargs):
    url = name if name.startswith("/") else reverse(name, kwargs=kwargs)
    if slot is not None:
        day = timezone.localtime(slot.start, slot.site.tzinfo).date()
        url += "?" + urlencode({"site": slot.site_id, "day": day.isoformat()})
    return url


@require_http_methods(["GET", "HEAD", "POST"])
def book(request):
    return _book_page(request, person=request.user, url=reverse("vaccination:book"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def book_for(request, pk):
    """Booking for someone the signed-in person cares for (404 for anyone else)."""
    person = dependents.dependent_of(request.user, pk)
    return _book_page(request, person=person, url=reverse("vaccination:book-for", kwargs={"pk": pk}))


def _book_page(request, *, person, url):
    if request.method == "POST":
        # The slot and the person's bookings and doses, read in one round trip.
        form = SlotForm(request.POST, person=person)
        slot = form.cleaned_data["slot"] if form.is_valid() else None
        # Anonymous visitors may browse; pressing Book holds the seat while
        # they confirm their email with a code (vaccination.views_holds).
        if not request.user.is_authenticated:
            error = form.errors.get("slot", [""])[0]
            return views_holds.start(request, slot=slot, error=error, back=_picker_url(url, slot))
        if limited := consume_or_429(request, action="book"):
            return limited
        if slot is None:
            messages.error(request, form.errors["slot"][0])
            return redirect(_picker_url(url, slot))
        # Answers come from the check page (which marks its form); a plain
        # POST of `slot` (older pages, scripts) books and asks them afterwards.
        answered = None
        if "screening" in request.POST:
            answers = ScreeningForm(request.POST, questions=screening.questions_for(slot.vaccine))
            if not answers.is_valid():
                return _check_page(request, person=person, slot=slot, url=url, answers=answers)
            answered = answers.answers()
        try:
            appointment = services.book(person=person, slot=slot, screening=answered, bookings=form.bookings)
        except BookingError as error:
            messages.error(request, errors.booking_message(error))
            return redirect(_picker_url(url, slot))
        return redirect(screening.after_booking_url(appointment))

    # One appointment per vaccine: the picker offers every time; the check
    # page says so before booking one of a vaccine already held.
    context = _picker(request, url=url, button_label=_("Book"), can_submit=None, person=person)
    context["booking_for"] = person if person != request.user else None
    context["check_url"] = _check_url(url)
    return render(request, "vaccination/book.html", context)


def _check_url(book_url, slot=None):
    """The check-your-answers page of a booking page (`book_url`), for `slot`."""
    url = book_url + "check/"
    return url + "?" + urlencode({"slot": slot.pk}) if slot is not None else url


@require_http_methods(["GET", "HEAD"])
def book_check(request):
    """Check your answers before booking (open to visitors: booking itself asks them to sign in)."""
    return _book_check(request, person=request.user, url=reverse("vaccination:book"))


@login_required
@require_http_methods(["GET", "HEAD"])
def book_for_check(request, pk):
    person = dependents.dependent_of(request.user, pk)
    return _book_check(request, person=person, url=reverse("vaccination:book-for", kwargs={"pk": pk}))


def _book_check(request, *, person, url):
    form = SlotForm(request.GET)
    if not form.is_valid():
        messages.error(request, form.errors["slot"][0])
        return redirect(url)
    slot = form.cleaned_data["slot"]
    questions = screening.questions_for(slot.vaccine) if person.is_authenticated else []
    return _check_page(request, person=person, slot=slot, url=url, answers=ScreeningForm(questions=questions))


def _check_page(request, *, person, slot, url, answers):
    """The summary of a booking about to be made, with its screening
    questions and a Book button that POSTs `slot` to `url`. A time that can
    no longer be booked sends the person back to the picker at its day."""
    try:
        dose = services.check_booking(person=person, slot=slot)
    except BookingError as error:
        messages.error(request, errors.booking_message(error))
        return redirect(_picker_url(url, slot))
    context = {
        "slot": slot,
        "dose": dose,
        "booking_for": person if person.is_authenticated and person != request.user else None,
        "book_url": url,
        "change_url": _picker_url(url, slot),
        "answers": answers,
    }
    return render(request, "vaccination/book_check.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def appointment_list(request):
    page_number = request.GET.get("page", "")
    page_number = page_number if page_number.isdigit() else ""

    def draw():
        # A person holds a handful of appointments over the years (one booked
        # at a time): one query for all of them, split and paged here.
        mine = list(
            Appointment.objects.of(request.user).with_details().select_related("person").order_by("-slot__start", "-pk")
        )
        upcoming = [appointment for appointment in reversed(mine) if appointment.is_upcoming]
        past = [appointment for appointment in mine if not appointment.is_upcoming]
        page = Paginator(past, PAGE_SIZE).get_page(page_number)
        return own_pages.render_part(
            request, "vaccination/_appointment_list.html", {"upcoming": upcoming, "page": page}
        )

    html = own_pages.kept(request, "appointment-list", (page_number,), draw)
    return shell.render(
        request, "vaccination/appointment_list.html", {"content": fragments.with_csrf_token(request, html)}
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def appointment_booked(request, pk):
    """Booking complete: the code, what to bring, what happens next."""
    appointment = _own_appointment(request, pk)
    if not appointment.is_upcoming:
        return redirect("vaccination:appointment-detail", pk=appointment.pk)
    context = {
        "appointment": appointment,
        "qr": qr_svg(appointment.code),
        "unanswered": screening.unanswered(appointment),
    }
    return render(request, "vaccination/appointment_booked.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def appointment_detail(request, pk):
    def draw():
        appointment = _own_appointment(request, pk)  # another person's: 404, and nothing kept
        qr = qr_svg(appointment.code) if appointment.is_upcoming else None
        html = own_pages.render_part(
            request, "vaccination/_appointment_detail.html", {"appointment": appointment, "qr": qr}
        )
        return appointment.code, html

    code, html = own_pages.kept(request, "appointment", (pk,), draw)
    return shell.render(
        request,
        "vaccination/appointment_detail.html",
        {"code": code, "content": fragments.with_csrf_token(request, html)},
    )


@login_required
@require_POST
def appointment_cancel(request, pk):
    appointment = _own_appointment(request, pk)
    try:
        services.cancel(appointment=appointment, by=request.user)
    except BookingError as error:
        messages.error(request, errors.booking_message(error))
        return redirect("vaccination:appointment-detail", pk=appointment.pk)
    messages.success(request, _("Your appointment is cancelled. The seat is free for someone else."))
    return redirect("vaccination:appointment-list")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def appointment_reschedule(request, pk):
    appointment = _own_appointment(request, pk)
    if not appointment.is_changeable:
        messages.error(request, errors.BOOKING_ERRORS["not_changeable"])
        return redirect("vaccination:appointment-detail", pk=appointment.pk)
    if request.method == "POST":
        if limited := consume_or_429(request, action="book"):
            return limited
        form = SlotForm(request.POST)
        slot = form.cleaned_data["slot"] if form.is_valid() else None
        back = _picker_url("vaccination:appointment-reschedule", slot, pk=appointment.pk)
        if slot is None:
            messages.error(request, form.errors["slot"][0])
            return redirect(back)
        try:
            services.reschedule(appointment=appointment, slot=slot)
        except BookingError as error:
            messages.error(request, errors.booking_message(error))
            return redirect(back)
        messages.success(request, _("Your appointment has moved. We have emailed you the new time."))
        return redirect("vaccination:appointment-detail", pk=appointment.pk)

    context = _picker(
        request,
        url=reverse("vaccination:appointment-reschedule", kwargs={"pk": appointment.pk}),
        button_label=_("Move here"),
        vaccine=appointment.slot.vaccine,
        exclude_slot=appointment.slot,
        person=appointment.person,
    )
    context["appointment"] = appointment
    context["check_url"] = reverse("vaccination:appointment-reschedule-check", kwargs={"pk": appointment.pk})
    return render(request, "vaccination/reschedule.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def appointment_reschedule_check(request, pk):
    """The new time beside the old one, with a Move button that POSTs `slot`
    to the reschedule page (where the service decides)."""
    appointment = _own_appointment(request, pk)
    url = reverse("vaccination:appointment-reschedule", kwargs={"pk": appointment.pk})
    form = SlotForm(request.GET)
    if not appointment.is_changeable or not form.is_valid():
        return redirect(url)
    slot = form.cleaned_data["slot"]
    context = {"appointment": appointment, "slot": slot, "move_url": url, "change_url": _picker_url(url, slot)}
    return render(request, "vaccination/reschedule_check.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def appointment_calendar(request, pk):
    appointment = _own_appointment(request, pk)
    response = HttpResponse(calendar_file(appointment), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vaccination-{appointment.code}.ics"'
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def vaccination_record(request, pk=None):
    """The person's own doses, or those of someone they care for (`pk`), as
    recorded by the nurses: printable."""
    person = request.user if pk is None else dependents.dependent_of(request.user, pk)
    doses = (
        Appointment.objects.of(request.user)
        .filter(person=person, dose_given_at__isnull=False)
        .with_details()
        .order_by("dose_given_at", "pk")
    )
    context = {"doses": doses, "printed_at": timezone.now(), "record_person": person}
    return render(request, "vaccination/record.html", context)
