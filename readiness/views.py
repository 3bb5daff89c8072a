"""Readiness pages: the clinic days at risk (fleet managers fix them in one
step), a driver's pre-trip inspection, closing a defect, the inspection
photos, and the fleet's readiness as CSV."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Role, permission_required, role_required
from fleet.models import Assignment, Driver, Truck
from pagecache import fragments
from readiness import services
from readiness.clinic_days import AT_RISK_DEPENDS_ON, AT_RISK_SECONDS, HORIZON_DAYS, coming_at_risk
from readiness.errors import ReadinessError
from readiness.forms import AssignDriverForm, CloseDefectForm, InspectionForm, ReassignTruckForm
from readiness.models import ChecklistItem, Defect, InspectionAnswer
from readiness.status import Readiness, ready_drivers, ready_trucks
from readiness.uploads import file_type
from spreadsheet import line_writer, safe_cell
from vaccination.models import Site

# The longest candidate lists offered on the page, and the days shown per page
# (each day carries its own form with the candidates).
CANDIDATES = 50
DAYS_PER_PAGE = 20


def spare_trucks(day):
    """Trucks ready on `day` that bring no active mobile clinic."""
    busy = Site.objects.filter(truck=OuterRef("pk"), is_active=True)
    return ready_trucks(day).exclude(Exists(busy)).order_by("code")


def free_drivers(day):
    """Drivers ready on `day` who drive no truck now."""
    driving = Assignment.objects.filter(driver=OuterRef("pk"), until__isnull=True)
    return ready_drivers(day).exclude(Exists(driving)).order_by("last_name", "first_name", "id")


def candidates(last_day):
    """(trucks, drivers) a fleet manager may give a clinic at risk: spare
    trucks and free drivers ready on `last_day`, the last day at risk (ready
    then means ready on every day before it: readiness only gets worse with
    time). Kept in the page cache with the days at risk, on the same data."""

    def draw():
        trucks = [(t.pk, t.code, t.make, t.model) for t in spare_trucks(last_day)[:CANDIDATES]]
        drivers = [(d.pk, d.full_name) for d in free_drivers(last_day)[:CANDIDATES]]
        return trucks, drivers

    return fragments.cached_value("readiness-candidates", AT_RISK_DEPENDS_ON, (last_day,), draw, AT_RISK_SECONDS)


def _days_html(page_number, can_reassign):
    days = coming_at_risk()
    trucks = drivers = []
    if can_reassign and days:
        trucks, drivers = candidates(max(day.day for day in days))
    context = {
        "days": days,
        "page_obj": Paginator(days, DAYS_PER_PAGE).get_page(page_number),
        "can_reassign": can_reassign,
        # Every day's form offers the same candidates: their options are drawn once.
        "truck_options": format_html_join("", '<option value="{}">{} · {} {}</option>', trucks),
        "driver_options": format_html_join("", '<option value="{}">{}</option>', drivers),
        "trucks": trucks,
        "drivers": drivers,
        "booked": sum(day.booked for day in days),
        # Each reader's own token is put in on the way out (pagecache.fragments.with_csrf_token).
        "csrf_token": fragments.CSRF_TOKEN,
    }
    return render_to_string("readiness/_at_risk_days.html", context)


@require_GET
@permission_required("readiness.view_readiness")
def at_risk(request):
    """The coming clinic days at risk, a page of them drawn once for every
    reader with the same rights and kept in the page cache with the data it
    is drawn from (readiness.clinic_days.AT_RISK_DEPENDS_ON)."""
    page = request.GET.get("page", "")
    page_number = int(page) if page.isdigit() else 1
    can_reassign = request.user.has_perm("readiness.reassign_clinic")
    html = fragments.cached_html(
        "readiness-at-risk-page",
        AT_RISK_DEPENDS_ON,
        (page_number, can_reassign),
        lambda: _days_html(page_number, can_reassign),
        AT_RISK_SECONDS,
    )
    # Our own rendered HTML, with this reader's CSRF field put in.
    html = fragments.with_csrf_token(request, html)
    return render(
        request,
        "readiness/at_risk.html",
        {"days_html": html, "horizon": HORIZON_DAYS, "can_reassign": can_reassign},
    )


def _refused(request, error: ReadinessError):
    messages.error(request, error.message)
    return redirect("readiness:at-risk")


@require_POST
@permission_required("readiness.reassign_clinic")
def reassign_truck(request, pk):
    site = get_object_or_404(Site, pk=pk, is_mobile=True)
    form = ReassignTruckForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a ready truck."))
        return redirect("readiness:at-risk")
    truck = form.cleaned_data["truck"]
    try:
        services.reassign_truck(site=site, truck=truck, day=form.cleaned_data["day"], by=request.user)
    except ReadinessError as error:
        return _refused(request, error)
    messages.success(request, _("%(clinic)s now goes with %(truck)s.") % {"clinic": site.name, "truck": truck.code})
    return redirect("readiness:at-risk")


@require_POST
@permission_required("readiness.reassign_clinic", "fleet.change_assignment")
def assign_driver(request, pk):
    truck = get_object_or_404(Truck, pk=pk)
    form = AssignDriverForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a ready driver."))
        return redirect("readiness:at-risk")
    driver = form.cleaned_data["driver"]
    try:
        services.assign_driver(truck=truck, driver=driver, day=form.cleaned_data["day"], by=request.user)
    except ReadinessError as error:
        return _refused(request, error)
    messages.success(request, _("%(name)s now drives %(truck)s.") % {"name": driver.full_name, "truck": truck.code})
    return redirect("readiness:at-risk")


def _posted_truck(request):
    """The truck the form was drawn for: if the driver's truck changed since
    (or the field was altered), the service refuses it as not theirs."""
    posted = request.POST.get("truck", "")
    return Truck.objects.filter(pk=posted).first() if posted.isdigit() else Truck(pk=0)


@require_http_methods(["GET", "POST"])
@role_required(Role.DRIVER)
def inspect(request):
    """The driver's pre-trip checklist for the truck they drive now."""
    driver = Driver.objects.filter(user=request.user).first()
    current = driver.current_assignment if driver else None
    items = list(ChecklistItem.objects.filter(is_active=True))
    posted = request.method == "POST"
    form = InspectionForm(request.POST if posted else None, request.FILES if posted else None, items=items)
    if posted and current is not None and form.is_valid():
        try:
            inspection = services.submit_inspection(
                driver=driver,
                truck=_posted_truck(request),
                answers=form.answers(),
                odometer_km=form.cleaned_data.get("odometer_km"),
                by=request.user,
            )
        except ReadinessError as error:
            form.add_error(None, error.message)
        else:
            if inspection.passed:
                messages.success(request, _("Inspection saved: everything is OK. Drive safely."))
            else:
                messages.warning(request, _("Inspection saved. The fleet managers see the problems you reported."))
            return redirect("fleet:me")
    return render(
        request, "readiness/inspect.html", {"driver": driver, "current": current, "form": form, "items": items}
    )


@require_POST
@permission_required("readiness.change_defect")
def close_defect(request, pk):
    defect = get_object_or_404(Defect.objects.select_related("truck"), pk=pk)
    form = CloseDefectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what was repaired to close the defect."))
        return redirect(defect.truck)
    try:
        services.close_defect(
            defect=defect,
            by=request.user,
            note=form.cleaned_data["note"],
            return_to_service=form.cleaned_data["return_to_service"],
        )
    except ReadinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The defect is closed."))
    return redirect(defect.truck)


@require_GET
@permission_required("readiness.view_inspection")
def inspection_photo(request, pk):
    answer = get_object_or_404(InspectionAnswer, pk=pk)
    if not answer.photo:
        raise Http404
    handle = answer.photo.open("rb")
    # The type the bytes show (checked on upload), never a stored name's.
    return FileResponse(handle, content_type=file_type(handle) or "application/octet-stream")


@require_GET
@permission_required("fleet.view_truck", "readiness.view_readiness", "fleet.export_driver")
def export(request):
    """Every truck's readiness today, one row each."""
    today = timezone.localdate()
    trucks = list(Truck.objects.order_by("code"))
    readiness = Readiness(trucks=trucks)
    open_defects = dict(
        Defect.objects.open().values("truck_id").annotate(n=Count("pk")).values_list("truck_id", "n").order_by()
    )
    header = [
        "code",
        "plate",
        "status",
        "ready_today",
        "not_ready_reasons",
        "warnings",
        "driver",
        "odometer_km",
        "next_service",
        "next_service_due_on",
        "next_service_due_km",
        "open_defects",
        "first_document_expiry",
    ]

    def rows():
        yield header
        for truck in trucks:
            problems = readiness.truck_problems(truck.pk, today)
            plans = sorted(
                readiness.plans.get(truck.pk, ()), key=lambda p: (p["next_due_on"] is None, p["next_due_on"])
            )
            plan = plans[0] if plans else None
            driver = readiness.driver_of.get(truck.pk)
            expiries = [expires for _label, expires in readiness.documents.get(("truck", truck.pk), ())]
            yield [
                safe_cell(value)
                for value in (
                    truck.code,
                    truck.plate,
                    truck.status,
                    "no" if problems else "yes",
                    "; ".join(p.words for p in problems),
                    "; ".join(p.words for p in readiness.truck_warnings(truck.pk, today)),
                    driver.full_name if driver else "",
                    readiness.odometer.get(truck.pk),
                    plan["name"] if plan else "",
                    plan["next_due_on"] if plan else "",
                    plan["next_due_km"] if plan else "",
                    open_defects.get(truck.pk, 0),
                    min(expiries) if expiries else "",
                )
            ]

    writer = line_writer()
    response = StreamingHttpResponse((writer.writerow(row) for row in rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="truck-readiness-{today:%Y-%m-%d}.csv"'
    return response
