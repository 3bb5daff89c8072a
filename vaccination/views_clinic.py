"""The clinic's own pages, for clinic staff: the check-in desk, one
appointment at the desk (dose, undo), and the day board."""

from datetime import date, timedelta

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import sqlprepared
from accounts.collation import by_name
from accounts.roles import Role, role_required
from pagecache import csrf, fragments, shell
from pagecache.templatetags import layout
from ratelimits import consume_or_429
from vaccination import checkin, errors, hooks, lots, screening, services, views_offline
from vaccination.forms import BoardSearchForm, CheckInForm, DoseForm, FindPersonForm, UndoCheckInForm
from vaccination.models import CATALOGUE, Appointment, CheckInLog, Slot, day_board

BOARD_PAGE_SIZE = 25
# The longest the cached rows of a day board are shown (pagecache.fragments):
# appointment changes show at once, a person's new name within this.
BOARD_SECONDS = 60
RECENT_SCANS = 5
# Find by name shows at most this many people: a name and a date of birth
# name one person, and a search must not list a clinic's day.
FIND_LIMIT = 5
# How far back and ahead the board's day navigation goes.
BOARD_DAYS_BACK = 14
BOARD_DAYS_AHEAD = 60
SESSION_SITE = "clinic_site"
# The lot each desk used last, by clinic and vaccine, for the next dose record.
SESSION_LOTS = "desk_lots"


def desk_site(request, sites=None):
    """The clinic this desk works for, among the staff member's own (a GET or
    POST `site`, else the one chosen before in this session), and all of them
    (`sites`: checkin.desk_site_list, when the caller read it)."""
    if sites is None:
        sites = checkin.desk_site_list(request.user)
    wanted = request.POST.get("site") or request.GET.get("site") or request.session.get(SESSION_SITE)
    site = next((s for s in sites if str(s.pk) == str(wanted)), sites[0] if sites else None)
    if site is not None and request.session.get(SESSION_SITE) != site.pk:
        request.session[SESSION_SITE] = site.pk
    return site, sites


def _staff_appointment(request, pk):
    """An appointment at one of the staff member's clinics, or 404."""
    appointments = Appointment.objects.at_clinics_of(request.user).select_related(
        "person", "slot__site", "slot__vaccine", "checked_in_by", "checked_in_site", "dose_given_by"
    )
    return get_object_or_404(appointments, pk=pk)


def _undo_deadline(appointment):
    if appointment.is_checked_in and not appointment.is_dose_given and appointment.checked_in_at:
        deadline = appointment.checked_in_at + checkin.UNDO_WINDOW
        if deadline > timezone.now():
            return deadline
    return None


def _dose_form(appointment, request=None):
    """The dose record's form, with the lot this desk used last for the
    vaccine here picked already (remembered for the session)."""
    on_hand, initial = _dose_choices(appointment, request)
    return DoseForm(lots=on_hand, initial=initial)


def _dose_choices(appointment, request) -> tuple[list | None, dict]:
    """The lots on hand (vaccination.lots.choices) and the form's initial lot."""
    slot = appointment.slot
    remembered = request.session.get(SESSION_LOTS, {}).get(_lot_key(slot)) if request is not None else None
    on_hand = lots.choices(site=slot.site, vaccine=slot.vaccine)
    if on_hand and len(on_hand) == 1:
        remembered = on_hand[0][0]  # the only lot here: nothing to choose
    return on_hand, {"vaccine_lot": remembered}


def _dose_fields(appointment, request) -> str:
    """_dose_form's fields as crispy draws them, drawn once per language and
    set of lots and picked lot (all they show)."""
    on_hand, initial = _dose_choices(appointment, request)
    key = ("desk-dose-form", None if on_hand is None else tuple(on_hand), initial["vaccine_lot"])
    return layout.kept(key, lambda: as_crispy_form(DoseForm(lots=on_hand, initial=initial)))


RECENT_FIELDS = (
    "at",
    "action",
    "reason",
    "typed",
    "appointment__person__first_name",
    "appointment__person__last_name",
    "appointment__person__email",
)
_RECENT = sqlprepared.Prepared(
    lambda user_id, site_id: (
        CheckInLog.objects.filter(user=user_id, site=site_id)
        .select_related("appointment__person")
        # What the list shows, not the 40-odd columns of an appointment and a person.
        .only(*RECENT_FIELDS)
        .order_by("-at", "-pk")[:RECENT_SCANS]
    ),
    sample=(987654321, 987654322),
)
# After a check-in: its screening answers and the desk's last scans, in one round trip.
_ANSWERS_AND_RECENT = sqlprepared.Together(screening.ANSWERS, _RECENT)
# How the desk's last scans name what was done, beside a scan's own answer (its headline).
_RECENT_WORDS = {
    CheckInLog.Action.UNDO: gettext_lazy("Check-in undone"),
    CheckInLog.Action.DOSE: gettext_lazy("Dose record"),
}


def _lot_key(slot) -> str:
    return f"{slot.site_id}:{slot.vaccine_id}"


@role_required(Role.CLINIC_STAFF)
@require_http_methods(["GET", "HEAD", "POST"])
def desk(request):
    """The desk: a scan's answer, the form for the next one. The page is
    drawn once per language and set of roles (pagecache.shell); what varies
    is drawn here, for this desk and this scan, and put in as its values."""
    form = CheckInForm(request.POST) if request.method == "POST" else None
    sites = scanned = None
    if form is not None and form.is_valid():
        # A scan: the desk's clinics and the appointment it names, in one round trip.
        sites, scanned = checkin.desk_sites_and_appointment(request.user, form.cleaned_data["code"])
    site, sites = desk_site(request, sites)
    if site is None:
        return shell.render(request, "clinic/desk.html")
    values = {"site_id": str(site.pk), "site_name": site.name}
    recent = None
    if form is not None:
        if limited := consume_or_429(request, action="check_in"):
            return limited
        if form.is_valid():
            # The check-in's bump of the day board goes with the answer's read
            # of its parts' generations: one round trip to the cache for both.
            with fragments.together():
                result = checkin.apply_scan(
                    appointment=scanned,
                    typed=form.cleaned_data["code"],
                    desk_user=request.user,
                    site=site,
                    attempt=form.cleaned_data["attempt"],
                )
                answers = None
                if result.ok:
                    # The answer's screening answers and the desk's last scans, this one
                    # included: one round trip (sqlprepared.Together).
                    answers, recent = _ANSWERS_AND_RECENT.all((result.appointment.pk,), (request.user.pk, site.pk))
                values["headline"] = errors.CHECKIN_HEADLINES[result.reason]
                values["answer"] = _answer(request, result, values["headline"], answers=answers)
            form = None  # a new form for the next scan
    values["code_form"] = as_crispy_form(form) if form is not None else _new_code_form(after_scan="answer" in values)
    values["site_line"] = render_to_string("clinic/_desk_site.html", {"site": site})
    if len(sites) > 1:
        values["site_picker"] = render_to_string("clinic/_site_picker.html", {"site": site, "sites": sites})
    if recent is None:
        recent = _RECENT.all(request.user.pk, site.pk)
    if recent:
        values["recent"] = shell.fill("clinic/_desk_recent.html", {"rows": _recent_rows(site, recent)})
    values["offline_config"] = views_offline.desk_scripts(request, site)
    return shell.render(request, "clinic/desk.html", values)


def _recent_rows(site, recent) -> str:
    """The desk's last scans (clinic/_desk_recent_row.html each), at the clinic's time."""
    rows = []
    # The appointments' addresses: reversed once, each row's id put in.
    stand_in = 987654321987
    address = reverse("clinic:appointment", args=[stand_in])
    for log in recent:
        values = {
            "time": formats.time_format(timezone.localtime(log.at, site.tzinfo), "H:i"),
            "reason": log.reason,
            "said": _RECENT_WORDS.get(log.action) or errors.CHECKIN_HEADLINES.get(log.reason, ""),
        }
        if log.appointment_id:
            person = log.appointment.person
            values["url"] = address.replace(str(stand_in), str(log.appointment_id))
            values["name"] = person.get_full_name() or person.email
        else:
            values["typed"] = log.typed or "—"
        rows.append(shell.fill("clinic/_desk_recent_row.html", values, has_appointment=bool(log.appointment_id)))
    return mark_safe("".join(rows))  # noqa: S308  # nosec B308 B703 -- drawn by shell.fill, values escaped


def _answer(request, result, headline, answers=None) -> str:
    """The answer to a scan, drawn for this desk (clinic/_desk_answer.html,
    drawn once per language and shape: pagecache.shell.fill). `answers`: the
    appointment's screening answers, when the caller read them
    (screening.ANSWERS)."""
    appointment = result.appointment
    # Only the values the answer's shape shows: a drawing missing one is not kept.
    values = {"code": result.code, "reason": result.reason, "headline": headline}
    if not result.ok:
        values |= {"detail": errors.checkin_detail(result), "typed": result.code or "—"}
    shape = {
        "ok": result.ok,
        "has_appointment": appointment is not None,
        "nothing_changed": result.reason == checkin.ALREADY_CHECKED_IN,
    }
    if appointment is not None:
        person = appointment.person
        values["name"] = person.get_full_name() or person.email
        values["appointment_code"] = appointment.code
    if result.ok:
        slot = appointment.slot
        with fragments.snapshot():
            # The generations of the cached parts below, in one round trip.
            fragments.generations(fragments.EVERYTHING, *screening.KEPT_UNDER, *lots.kept_under())
            asked = screening.for_desk(appointment, answers)
            dose_fields = _dose_fields(appointment, request)
        born = person.date_of_birth
        values |= {
            "by": request.user.get_full_name(),
            "born": formats.date_format(born, "MEDIUM_DATE_FORMAT") if born else _("not given"),
            "booked_for": formats.time_format(timezone.localtime(slot.start, slot.site.tzinfo), "H:i"),
            "vaccine": slot.vaccine.name,
            "dose": str(appointment.dose_number),
            "appointment_url": reverse("clinic:appointment", args=[appointment.pk]),
            "screening": render_to_string("clinic/_screening.html", {"screening": asked, "appointment": appointment}),
        }
        if dose_fields:
            values |= {
                "dose_url": reverse("clinic:record-dose", args=[appointment.pk]),
                "csrf_token": csrf.token(request),
                "dose_fields": dose_fields,
            }
        shape |= {
            "needs_clinician": any(a.needs_clinician for a in asked["answers"]),
            "repeated": result.repeated,
            "dose_form": bool(dose_fields),
            "undo": _undo_deadline(appointment) is not None,
        }
    return shell.fill("clinic/_desk_answer.html", values, **shape)


# The attempt token in the kept drawing of a new check-in form.
_ATTEMPT = shell.stand_in("attempt")


def _new_code_form(*, after_scan: bool) -> str:
    """A new check-in form's fields, as crispy draws them. Two desks' new
    forms differ only by their attempt token: the form is drawn once per
    language (pagecache layout parts) with a stand-in for it."""

    def draw():
        form = CheckInForm(initial={"attempt": _ATTEMPT})
        if after_scan:
            # The field keeps the focus for the next scan; a screen reader
            # reads the answer with it.
            form.fields["code"].widget.attrs["aria-describedby"] = "result-headline result-person"
        return as_crispy_form(form)

    html = layout.kept(("desk-code-form", after_scan), draw)
    return mark_safe(html.replace(_ATTEMPT, escape(checkin.new_attempt())))  # noqa: S308  # nosec B308 B703 -- crispy's HTML


@role_required(Role.CLINIC_STAFF)
@require_GET
def find(request):
    """Look a person up by name and date of birth among today's appointments
    at the desk's clinic, for someone without their code; each result is
    checked in by the desk's own form (the same check_in and answer)."""
    site, sites = desk_site(request)
    context = {"site": site, "sites": sites, "form": FindPersonForm(), "found": None}
    if site is not None and request.GET.get("name") is not None:
        form = FindPersonForm(request.GET)
        context["form"] = form
        if form.is_valid():
            if limited := consume_or_429(request, action="find_person", limit_get=True):
                return limited
            found = _found(site, name=form.cleaned_data["name"], born=form.cleaned_data["date_of_birth"])
            context["found"] = found[:FIND_LIMIT]
            context["more"] = len(found) > FIND_LIMIT
            context["limit"] = FIND_LIMIT
            context["attempt"] = checkin.new_attempt
    return render(request, "clinic/find.html", context)


def _found(site, *, name, born):
    """Today's appointments at `site` (not cancelled) of people born on
    `born` whose first or last names hold every word of `name`; one more
    than FIND_LIMIT at most."""
    start, end = site.local_day_bounds(site.today())
    rows = Appointment.objects.filter(
        slot__site=site, slot__start__gte=start, slot__start__lt=end, person__date_of_birth=born
    ).exclude(status=Appointment.Status.CANCELLED)
    for word in name.split():
        rows = rows.filter(Q(person__first_name__icontains=word) | Q(person__last_name__icontains=word))
    rows = rows.select_related("person", "slot__vaccine").order_by("slot__start", "person__last_name", "pk")
    return list(rows[: FIND_LIMIT + 1])


@role_required(Role.CLINIC_STAFF)
@require_GET
def appointment(request, pk):
    appointment = _staff_appointment(request, pk)
    return render(
        request,
        "clinic/appointment.html",
        {
            "appointment": appointment,
            "site": appointment.slot.site,
            "dose_form": _dose_form(appointment, request=request),
            "screening": screening.for_desk(appointment),
            "undo_form": UndoCheckInForm(),
            "undo_deadline": _undo_deadline(appointment),
        },
    )


@role_required(Role.CLINIC_STAFF)
@require_POST
def record_dose(request, pk):
    appointment = _staff_appointment(request, pk)
    form = DoseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Type the vaccine lot number to record the dose."))
        return redirect("clinic:appointment", pk=appointment.pk)
    try:
        checkin.record_dose(appointment=appointment, lot=form.cleaned_data["vaccine_lot"], by=request.user)
    except checkin.DeskError as error:
        messages.error(request, errors.desk_message(error))
    except lots.LotRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Dose recorded for %(name)s, lot %(lot)s.")
            % {"name": appointment.person.get_full_name(), "lot": form.cleaned_data["vaccine_lot"]},
        )
        lots_used = request.session.get(SESSION_LOTS, {})
        request.session[SESSION_LOTS] = {**lots_used, _lot_key(appointment.slot): form.cleaned_data["vaccine_lot"]}
        if request.POST.get("return_to") == "desk":
            # From the desk: back to it, ready for the next person.
            return redirect(f"{reverse('clinic:checkin')}?site={appointment.slot.site_id}")
    return redirect("clinic:appointment", pk=appointment.pk)


@role_required(Role.CLINIC_STAFF)
@require_POST
def undo(request, pk):
    appointment = _staff_appointment(request, pk)
    form = UndoCheckInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the check-in is undone; it is kept in the log."))
        return redirect("clinic:appointment", pk=appointment.pk)
    site, _sites = desk_site(request)
    try:
        checkin.undo_check_in(
            appointment=appointment, by=request.user, note=form.cleaned_data["note"], site=site or appointment.slot.site
        )
    except checkin.DeskError as error:
        messages.error(request, errors.desk_message(error))
        return redirect("clinic:appointment", pk=appointment.pk)
    messages.success(
        request,
        _("Check-in of %(name)s undone. The appointment is booked again.")
        % {"name": appointment.person.get_full_name()},
    )
    return redirect("clinic:checkin")


def board_day(request, site):
    """The day the board shows: `?day=YYYY-MM-DD` within BOARD_DAYS_BACK
    before and BOARD_DAYS_AHEAD after the clinic's today; else today. The
    second value says a given day was refused (malformed or out of range)."""
    today = site.today()
    wanted = request.GET.get("day") or request.POST.get("day") or ""
    if not wanted:
        return today, False
    try:
        day = date.fromisoformat(wanted)
    except ValueError:
        return today, True
    if not today - timedelta(days=BOARD_DAYS_BACK) <= day <= today + timedelta(days=BOARD_DAYS_AHEAD):
        return today, True
    return day, False


def _board(request):
    """Context of the day board. Its counts and rows ("rows") are the same
    for every nurse of the clinic, so they come from the shared cache until
    an appointment there changes (day_board), the minute turns (late
    arrivals, undo offers) or BOARD_SECONDS pass (a person's new name). A
    miss costs a constant number of queries, whatever the size of the day.
    The rows hold no form of their own: their buttons submit the page's one
    action form (with this user's CSRF token), outside the cached part."""
    site, sites = desk_site(request)
    context = {"site": site, "sites": sites}
    if site is None:
        return context
    search = BoardSearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    only = search.cleaned_data["status"] if search.is_valid() else ""
    day, refused = board_day(request, site)
    today = site.today()
    page_number = request.GET.get("page") or "1"
    day_query = urlencode({"site": site.pk, "day": day.isoformat()})

    def rows():
        counts, page = _board_rows(site, day, query=query, only=only, page_number=page_number)
        rows_context = {
            "site": site,
            "day": day,
            "is_today": day == today,
            "day_query": day_query,
            "q": query,
            "only": only,
            "counts": counts,
            "page_obj": page,
        }
        if not counts["booked"] and not query and not only:
            rows_context["next_booked_day"] = _next_booked_day(site, day)
        return render_to_string("clinic/_board.html", rows_context, request)

    html = fragments.cached_html(
        "day-board",
        (day_board(site.pk), CATALOGUE),
        (site.pk, day, query, only, page_number, timezone.now().strftime("%Y-%m-%dT%H:%M")),
        rows,
        timeout=BOARD_SECONDS,
    )
    context.update(
        {
            "day": day,
            "today": today,
            "is_today": day == today,
            "day_refused": refused,
            "days_back": BOARD_DAYS_BACK,
            "days_ahead": BOARD_DAYS_AHEAD,
            "day_query": day_query,
            "previous_day": day - timedelta(days=1) if day > today - timedelta(days=BOARD_DAYS_BACK) else None,
            "next_day": day + timedelta(days=1) if day < today + timedelta(days=BOARD_DAYS_AHEAD) else None,
            "rows": html,
            "search": search,
            "q": query,
            "only": only,
            "rows_url": reverse("clinic:today-rows")
            + "?"
            + urlencode({"site": site.pk, "day": day.isoformat(), "q": query, "status": only, "page": page_number}),
        }
    )
    return context


def _next_booked_day(site, day):
    """The first day after `day` with someone booked or checked in at `site`, or None."""
    _start, end = site.local_day_bounds(day)
    first = (
        Appointment.objects.filter(
            slot__site=site,
            slot__start__gte=end,
            status__in=[Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN],
        )
        .order_by("slot__start")
        .values_list("slot__start", flat=True)
        .first()
    )
    return timezone.localtime(first, site.tzinfo).date() if first else None


def _board_rows(site, day, *, query, only, page_number):
    """The day's counts by status and its places, and the page of rows matching the search."""
    start, end = site.local_day_bounds(day)
    todays = Appointment.objects.filter(slot__site=site, slot__start__gte=start, slot__start__lt=end)
    status = Appointment.Status
    counts = todays.aggregate(
        booked=Count("pk", filter=~Q(status=status.CANCELLED)),
        checked_in=Count("pk", filter=Q(status=status.CHECKED_IN)),
        expected=Count("pk", filter=Q(status=status.BOOKED)),
        no_show=Count("pk", filter=Q(status=status.NO_SHOW)),
        doses=Count("pk", filter=Q(dose_given_at__isnull=False)),
    )
    places = Slot.objects.filter(site=site, start__gte=start, start__lt=end).aggregate(
        capacity=Sum("capacity"), taken=Sum("booked_count")
    )
    counts["capacity"] = places["capacity"] or 0
    counts["seats_left"] = counts["capacity"] - (places["taken"] or 0)
    rows = todays.filter(status=only) if only else todays.exclude(status=status.CANCELLED)
    if query:
        code = checkin.normalize_code(query)
        name_matches = Q()
        for word in query.split():
            name_matches &= Q(person__first_name__icontains=word) | Q(person__last_name__icontains=word)
        rows = rows.filter(name_matches | Q(code__startswith=code) if code else name_matches)
    rows = rows.select_related("person", "slot__vaccine", "checked_in_by").order_by(
        "slot__start", *by_name("person__last_name", "person__first_name"), "pk"
    )
    paginator = Paginator(rows, BOARD_PAGE_SIZE)
    if not query:
        # The counts above already say how many rows there are: no COUNT(*) again.
        paginator.count = {
            "": counts["booked"],
            status.BOOKED: counts["expected"],
            status.CHECKED_IN: counts["checked_in"],
            status.NO_SHOW: counts["no_show"],
        }[only]
    return counts, paginator.get_page(page_number)


@role_required(Role.CLINIC_STAFF)
@require_GET
def board(request):
    context = _board(request)
    site = context["site"]
    # The mobile clinic's truck and driver: on the page, not in the rows it polls.
    truck = site.truck if site is not None and site.is_mobile else None
    context["truck"] = truck
    context["driver_assignment"] = truck.current_assignment if truck else None
    # A mobile clinic whose truck or driver is not ready today (readiness answers).
    context["notices"] = hooks.notices(site, context["day"]) if site is not None and site.is_mobile else []
    return render(request, "clinic/board.html", context)


@role_required(Role.CLINIC_STAFF)
@require_GET
def board_rows(request):
    """The board's counts and rows alone, fetched every few seconds by static/js/clinic-board.js."""
    context = _board(request)
    if context["site"] is None:
        raise Http404
    return HttpResponse(context["rows"])


def _set_no_show(request, pk, *, undo):
    appointment = _staff_appointment(request, pk)
    name = appointment.person.get_full_name() or appointment.person.email
    try:
        services.mark_no_show(appointment=appointment, by=request.user, undo=undo)
    except services.BookingError as error:
        messages.error(request, errors.booking_message(error))
    else:
        if undo:
            messages.success(request, _("%(name)s is booked again and can be checked in.") % {"name": name})
        else:
            messages.success(
                request, _("%(name)s is marked as a no-show. Use Undo on the board if they arrive.") % {"name": name}
            )
    site = appointment.slot.site
    query = urlencode({"site": site.pk, "day": appointment.slot.local_start.date().isoformat()})
    return redirect(f"{reverse('clinic:today')}?{query}#appointment-{appointment.pk}")


@role_required(Role.CLINIC_STAFF)
@require_POST
def board_no_show(request, pk):
    """Mark a booked appointment whose time has come a no-show, from the board."""
    return _set_no_show(request, pk, undo=False)


@role_required(Role.CLINIC_STAFF)
@require_POST
def board_undo_no_show(request, pk):
    """Book a no-show again while the desk could still check the person in."""
    return _set_no_show(request, pk, undo=True)
