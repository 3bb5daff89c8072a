import csv
import re
from functools import cached_property

from django.contrib import messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Max, Min
from django.db.models.functions import TruncDate
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import audit
from accounts.roles import Role, permission_required, role_required
from fleet.errors import FLEET_ERRORS
from fleet.forms import AssignForm, ClientSearchForm, DriverFilterForm, DriverForm, TruckFilterForm, TruckForm
from fleet.models import FLEET_REGISTER, ClientMembership, Driver, LicenceStatus, Truck
from fleet.services import FleetError, assign, release, release_out_of_service
from pagecache import fragments

PAGE_SIZE = 25
HISTORY_LIMIT = 50
# The truck page shows the latest reported condition and this many reports.
CONDITIONS_SHOWN = 10


class BoundedPaginator(Paginator):
    """Counts at most `limit` matches: counting every row of a broad search
    over 100,000 drivers would cost more than the page itself. Past the
    limit the page says "1,000+" and the user narrows the search."""

    limit = 1000

    @cached_property
    def _bounded_count(self):
        # Neither order nor the current-truck columns matter for counting.
        return self.object_list.order_by().values("pk")[: self.limit + 1].count()

    @cached_property
    def count(self):
        return min(self._bounded_count, self.limit)

    @property
    def count_is_capped(self):
        return self._bounded_count > self.limit

    # From this offset on, a page first reads its rows' ids alone, then the
    # rows: otherwise PostgreSQL computes the current-truck subqueries of
    # every skipped row too (page 40 cost 3 x page 1, measured by make bench).
    deep_offset = 100

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < self.deep_offset:
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def _sort_columns(current, columns):
    """Header links of a sortable table: each click sorts by that column,
    a second click reverses it."""
    headers = []
    for key, label in columns:
        if key is None:
            headers.append({"label": label})
            continue
        direction = "ascending" if current == key else "descending" if current == f"-{key}" else None
        headers.append(
            {"label": label, "next": f"-{key}" if current == key else key, "direction": direction, "key": key}
        )
    return headers


def _list_page(request, name, form_class, rows, columns, words):
    """A fleet list page: search, sortable table and bounded pages of `rows()`.

    Everyone who may open a fleet list sees the whole register (visible_to),
    so the rendered list is the same for all of them: it is kept in the
    shared cache until the register changes (FLEET_REGISTER, bumped by
    fleet.signals) and only the page around it, with each role's buttons,
    is rendered per request."""

    def results():
        form = form_class(request.GET)
        page = BoundedPaginator(form.filter(rows()), PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "form": form,
            "page_obj": page,
            "columns": _sort_columns(form.sort_key, columns),
            "clear_url": request.path,
            **words,
        }
        return render_to_string(f"fleet/_{name}_results.html", context, request)

    html = fragments.cached_html(f"{name}-list", (FLEET_REGISTER,), (request.GET.urlencode(),), results)
    return render(request, f"fleet/{name}_list.html", {"results": html})


def _log_change(request, obj, action, form):
    """Record who created or changed a record in Django's admin history and
    in the audit log (the names of the changed fields, not their values)."""
    kind = obj._meta.model_name  # "driver" or "truck"
    audit.record(
        f"{kind}_create" if action == ADDITION else f"{kind}_update",
        target=obj,
        data={"fields": sorted(form.changed_data)},
    )
    message = [{"added": {}}] if action == ADDITION else [{"changed": {"fields": form.changed_data}}]
    LogEntry.objects.log_actions(
        user_id=request.user.pk, queryset=[obj], action_flag=action, change_message=message, single_object=True
    )


def _recent_changes(obj):
    return (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
        .select_related("user")
        .order_by("-action_time")[:10]
    )


# Drivers


@require_GET
@permission_required("fleet.view_driver")
def driver_list(request):
    columns = [
        ("name", _("Name")),
        ("licence", _("Licence")),
        ("expiry", _("Licence expiry")),
        (None, _("Phone")),
        (None, _("Truck")),
        ("client", _("Client company")),
    ]
    words = {
        "label": _("Search and filter drivers"),
        "caption": _("Drivers matching the search"),
        "noun": _("drivers"),
        "empty": _("No driver matches this search. Check the spelling, or clear the filters."),
    }
    return _list_page(
        request,
        "driver",
        DriverFilterForm,
        lambda: Driver.objects.visible_to(request.user).select_related("client").with_current_truck(),
        columns,
        words,
    )


@require_GET
@permission_required("fleet.view_driver")
def driver_detail(request, pk):
    driver = get_object_or_404(Driver.objects.visible_to(request.user).select_related("client", "user"), pk=pk)
    history = list(
        driver.assignments.select_related("truck", "assigned_by", "ended_by").order_by("-since", "-id")[:HISTORY_LIMIT]
    )
    current = next((assignment for assignment in history if assignment.is_current), None)
    can_manage = request.user.has_perm("fleet.add_assignment")
    return render(
        request,
        "fleet/driver_detail.html",
        {
            "driver": driver,
            "current": current,
            "history": history,
            # After a refused assignment the chosen truck stays selected.
            "assign_form": AssignForm(initial={"truck": request.GET.get("truck")})
            if can_manage and driver.is_active and driver.licence_status() != LicenceStatus.EXPIRED
            else None,
            "can_manage": can_manage,
            "can_edit": request.user.has_perm("fleet.change_driver"),
            "changes": _recent_changes(driver) if can_manage else [],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("fleet.add_driver")
def driver_create(request):
    form = DriverForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with transaction.atomic():
            driver = form.save()
            _log_change(request, driver, ADDITION, form)
        messages.success(request, _("Driver %(name)s was added.") % {"name": driver.full_name})
        return redirect(driver)
    return render(request, "fleet/driver_form.html", {"form": form, "driver": None})


@require_http_methods(["GET", "POST"])
@permission_required("fleet.change_driver")
def driver_edit(request, pk):
    driver = get_object_or_404(Driver, pk=pk)
    form = DriverForm(request.POST if request.method == "POST" else None, instance=driver)
    if form.is_valid():
        with transaction.atomic():
            driver = form.save()
            if form.has_changed():
                _log_change(request, driver, CHANGE, form)
            ended = release_out_of_service(driver=driver, by=request.user)
        messages.success(request, _("Driver %(name)s was saved.") % {"name": driver.full_name})
        _say_released(request, ended)
        return redirect(driver)
    return render(request, "fleet/driver_form.html", {"form": form, "driver": driver})


ASSIGN_ERRORS = {
    "driver_inactive": _("This driver is inactive. Make them active before assigning a truck."),
    "truck_not_active": _("This truck is not in service (%(status)s)."),
    "already_assigned": _("This driver already drives this truck."),
    "driver_has_truck": _(
        "This driver already drives %(truck)s. Tick “take the truck…” to end that assignment and assign the new truck."
    ),
    "truck_taken": _(
        "%(driver)s already drives this truck. Tick “take the truck…” to take it from them and assign it here."
    ),
    "conflict": _("Someone changed this assignment at the same moment. Please look at the page and try again."),
    "not_assigned": _("This driver has no current truck."),
    **FLEET_ERRORS,
}


@require_POST
@permission_required("fleet.add_assignment", "fleet.change_assignment")
def driver_assign(request, pk):
    driver = get_object_or_404(Driver, pk=pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a truck in service to assign."))
        return redirect(driver)
    try:
        assignment = assign(
            driver=driver, truck=form.cleaned_data["truck"], by=request.user, reassign=form.cleaned_data["reassign"]
        )
    except FleetError as error:
        messages.error(request, ASSIGN_ERRORS[error.code] % {key: str(value) for key, value in error.details.items()})
        return redirect(f"{driver.get_absolute_url()}?truck={form.cleaned_data['truck'].pk}")
    else:
        messages.success(
            request,
            _("%(truck)s is now assigned to %(name)s.") % {"truck": assignment.truck.code, "name": driver.full_name},
        )
    return redirect(driver)


def _say_released(request, ended):
    """After saving an inactive driver or a retired truck (services.release_out_of_service)."""
    if ended is not None:
        messages.info(
            request,
            _("%(truck)s was released: %(name)s no longer drives it.")
            % {"truck": ended.truck.code, "name": ended.driver.full_name},
        )


@require_POST
@permission_required("fleet.change_assignment")
def driver_release(request, pk):
    driver = get_object_or_404(Driver, pk=pk)
    try:
        assignment = release(driver=driver, by=request.user)
    except FleetError as error:
        messages.error(request, ASSIGN_ERRORS[error.code])
    else:
        messages.success(
            request,
            _("%(truck)s was released; %(name)s has no truck now.")
            % {"truck": assignment.truck.code, "name": driver.full_name},
        )
    return redirect(driver)


# Cells a spreadsheet would run as a formula. A phone number such as
# "+34 600 000 111" is left alone; anything else starting so gets a quote.
_FORMULA_START = re.compile(r"^[=@\t\r]|^[+-](?![0-9 ().\-]*$)")


def _csv_cell(value):
    text = "" if value is None else str(value)
    return f"'{text}" if _FORMULA_START.match(text) else text


class _Echo:
    """csv.writer needs a file; this one hands each line back to be streamed."""

    def write(self, value):
        return value


@require_GET
@permission_required("fleet.view_driver", "fleet.export_driver")
def driver_export(request):
    form = DriverFilterForm(request.GET)
    drivers = form.filter(Driver.objects.visible_to(request.user).select_related("client").with_current_truck())
    today = timezone.localdate()
    header = [
        "licence_number",
        "first_name",
        "last_name",
        "email",
        "phone",
        "date_of_birth",
        "licence_expiry",
        "licence_status",
        "active",
        "client",
        "current_truck",
        "address",
    ]

    def rows():
        yield header
        # iterator() streams from a server-side cursor (PostgreSQL) in
        # chunks, so 100,000 drivers never sit in memory at once.
        for driver in drivers.iterator(chunk_size=2000):
            yield [
                _csv_cell(value)
                for value in (
                    driver.licence_number,
                    driver.first_name,
                    driver.last_name,
                    driver.email,
                    driver.phone,
                    driver.date_of_birth or "",
                    driver.licence_expiry,
                    driver.licence_status(today).value,
                    "yes" if driver.is_active else "no",
                    driver.client.name if driver.client else "",
                    driver.current_truck_code or "",
                    driver.address,
                )
            ]

    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="drivers-{today:%Y-%m-%d}.csv"'
    return response


# Trucks


@require_GET
@permission_required("fleet.view_truck")
def truck_list(request):
    columns = [
        ("code", _("Code")),
        ("plate", _("Plate")),
        (None, _("Make and model")),
        ("year", _("Year")),
        ("status", _("Status")),
        (None, _("Driver")),
    ]
    words = {
        "label": _("Search and filter trucks"),
        "caption": _("Trucks matching the search"),
        "noun": _("trucks"),
        "empty": _("No truck matches this search."),
    }
    return _list_page(request, "truck", TruckFilterForm, Truck.objects.with_current_driver, columns, words)


@require_GET
@permission_required("fleet.view_truck")
def truck_detail(request, pk):
    truck = get_object_or_404(Truck, pk=pk)
    history = list(
        truck.assignments.select_related("driver", "assigned_by", "ended_by").order_by("-since", "-id")[:HISTORY_LIMIT]
    )
    current = next((assignment for assignment in history if assignment.is_current), None)
    can_edit = request.user.has_perm("fleet.change_truck")
    return render(
        request,
        "fleet/truck_detail.html",
        {
            "truck": truck,
            "current": current,
            "history": history,
            "can_edit": can_edit,
            "can_manage": request.user.has_perm("fleet.change_assignment"),
            "changes": _recent_changes(truck) if can_edit else [],
            "clinics": _clinic_days(truck),
            "conditions": list(truck.conditions.order_by("-recorded_at", "-id")[:CONDITIONS_SHOWN]),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("fleet.add_truck")
def truck_create(request):
    form = TruckForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with transaction.atomic():
            truck = form.save()
            _log_change(request, truck, ADDITION, form)
        messages.success(request, _("Truck %(code)s was added.") % {"code": truck.code})
        return redirect(truck)
    return render(request, "fleet/truck_form.html", {"form": form, "truck": None})


@require_http_methods(["GET", "POST"])
@permission_required("fleet.change_truck")
def truck_edit(request, pk):
    truck = get_object_or_404(Truck, pk=pk)
    form = TruckForm(request.POST if request.method == "POST" else None, instance=truck)
    if form.is_valid():
        with transaction.atomic():
            truck = form.save()
            if form.has_changed():
                _log_change(request, truck, CHANGE, form)
            ended = release_out_of_service(truck=truck, by=request.user)
        messages.success(request, _("Truck %(code)s was saved.") % {"code": truck.code})
        _say_released(request, ended)
        return redirect(truck)
    return render(request, "fleet/truck_form.html", {"form": form, "truck": truck})


# Mobile clinics

CLINIC_DAYS_SHOWN = 14


def _clinic_days(truck):
    """The mobile clinics `truck` brings and their coming days (first start,
    last end, in the clinic's own time). Follows the reverse relations
    `truck.mobile_sites` and `site.slots`: fleet never imports vaccination.
    One query per clinic; a truck serves one or two."""
    if truck is None:
        return []
    now = timezone.now()
    clinics = []
    for site in truck.mobile_sites.filter(is_active=True).order_by("name"):
        days = (
            site.slots.filter(end__gt=now)
            .annotate(day=TruncDate("start", tzinfo=site.tzinfo))
            .values("day")
            .annotate(opens=Min("start"), closes=Max("end"))
            .order_by("day")[:CLINIC_DAYS_SHOWN]
        )
        clinics.append({"site": site, "days": list(days)})
    return clinics


# Portals


@require_GET
@role_required(Role.DRIVER)
def my_record(request):
    """A driver's own record and current truck; nothing of anyone else."""
    driver = Driver.objects.select_related("client").filter(user=request.user).first()
    history = []
    if driver:
        history = list(driver.assignments.select_related("truck").order_by("-since", "-id")[:10])
    current = next((assignment for assignment in history if assignment.is_current), None)
    clinics = _clinic_days(current.truck if current else None)
    return render(
        request, "fleet/me.html", {"driver": driver, "current": current, "history": history, "clinics": clinics}
    )


def _membership(request):
    return ClientMembership.objects.select_related("client").filter(user=request.user).first()


CLIENT_DRIVER_FIELDS = ("id", "first_name", "last_name", "phone", "licence_expiry")


@require_GET
@role_required(Role.CLIENT_USER)
def client_portal(request):
    """A client user's own company's drivers, with limited fields."""
    membership = _membership(request)
    page = None
    search = ClientSearchForm(request.GET)
    query = search.query
    if membership:
        drivers = (
            Driver.objects.of_client_user(request.user)
            .with_current_truck()
            .search(query)
            .only(*CLIENT_DRIVER_FIELDS)
            .order_by("last_name", "first_name", "id")
        )
        page = BoundedPaginator(drivers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "fleet/client_portal.html",
        {
            "membership": membership,
            "page_obj": page,
            "q": query,
            "search_error": search.error,
            "today": timezone.localdate(),
        },
    )


@require_GET
@role_required(Role.CLIENT_USER)
def client_driver(request, pk):
    """One of the company's drivers; another company's is 404, never 403."""
    membership = _membership(request)
    if membership is None:
        raise Http404
    driver = get_object_or_404(
        Driver.objects.of_client_user(request.user).with_current_truck().only(*CLIENT_DRIVER_FIELDS), pk=pk
    )
    return render(
        request,
        "fleet/client_driver.html",
        {"membership": membership, "driver": driver, "today": timezone.localdate()},
    )
