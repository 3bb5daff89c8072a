"""The driver pages of fleet managers and clinic staff: list, detail, create,
edit, assign and release a truck."""

from django.contrib import messages
from django.contrib.admin.models import ADDITION, CHANGE
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import permission_required
from fleet import hooks
from fleet.errors import fleet_message
from fleet.forms import AssignForm, DriverFilterForm, DriverForm
from fleet.models import FLEET_REGISTER, Driver, LicenceStatus
from fleet.services import FleetError, assign, release, release_out_of_service
from fleet.views.common import HISTORY_LIMIT, list_page, log_change, recent_changes, say_released
from pagecache import fragments, shell

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
    return list_page(
        request,
        "driver",
        DriverFilterForm,
        lambda: Driver.objects.visible_to(request.user).select_related("client").with_current_truck(),
        columns,
        words,
        extra={"risk": _licence_risk(request)},
    )


def _licence_risk(request):
    """The summary above the driver list: licences expired, expiring, and
    drivers on an expired licence who still hold a truck, among active
    drivers. The same for everyone who may open the list (the whole
    register), so shared in the cache until the register changes."""

    def render_summary():
        drivers = Driver.objects.visible_to(request.user).filter(is_active=True)
        return render_to_string("fleet/_licence_summary.html", {"summary": drivers.licence_summary()}, request)

    return fragments.cached_html("driver-risk", (FLEET_REGISTER,), (), render_summary)


# The driver page's assignment history and current truck (fleet/_history.html, fleet/driver_detail.html).
DRIVER_HISTORY_FIELDS = (
    *("driver_id", "truck_id", "since", "until", "assigned_by_id", "ended_by_id"),
    *("truck__code", "truck__make", "truck__model", "truck__plate"),
    *("assigned_by__first_name", "assigned_by__last_name", "ended_by__first_name", "ended_by__last_name"),
)


@require_GET
@permission_required("fleet.view_driver")
def driver_detail(request, pk):
    """A driver's page. Its own part is drawn once per reader (what they may
    see and do) and kept until the fleet register, which holds all it shows
    (the driver, assignments, trucks, clients, readiness documents, the
    change log written with them), changes (FLEET_REGISTER) or the day ends."""
    truck = request.GET.get("truck", "")
    truck = truck if truck.isdigit() else ""  # after a refused assignment the chosen truck stays selected

    def draw():
        driver = get_object_or_404(Driver.objects.visible_to(request.user).select_related("client"), pk=pk)
        history = list(
            driver.assignments.select_related("truck", "assigned_by", "ended_by")
            # What the page shows, not the sixty columns of a truck and two users.
            .only(*DRIVER_HISTORY_FIELDS)
            .order_by("-since", "-id")[:HISTORY_LIMIT]
        )
        current = next((assignment for assignment in history if assignment.is_current), None)
        can_manage = request.user.has_perm("fleet.add_assignment")
        context = {
            "driver": driver,
            "current": current,
            "history": history,
            "assign_form": AssignForm(initial={"truck": truck or None})
            if can_manage and driver.is_active and driver.licence_status() != LicenceStatus.EXPIRED
            else None,
            "can_manage": can_manage,
            "can_edit": request.user.has_perm("fleet.change_driver"),
            "changes": recent_changes(driver) if can_manage else [],
            "sections": hooks.sections("driver", request, driver),
            "csrf_token": fragments.CSRF_TOKEN,
        }
        return driver.full_name, render_to_string("fleet/_driver_detail.html", context, request)

    name, html = fragments.cached_value("driver-page", (FLEET_REGISTER,), (request.user.pk, pk, truck), draw)
    return shell.render(
        request, "fleet/driver_detail.html", {"name": name, "content": fragments.with_csrf_token(request, html)}
    )


@require_http_methods(["GET", "POST"])
@permission_required("fleet.add_driver")
def driver_create(request):
    form = DriverForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with transaction.atomic():
            driver = form.save()
            log_change(request, driver, ADDITION, form)
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
                log_change(request, driver, CHANGE, form)
            ended = release_out_of_service(driver=driver, by=request.user)
        messages.success(request, _("Driver %(name)s was saved.") % {"name": driver.full_name})
        say_released(request, ended)
        return redirect(driver)
    return render(request, "fleet/driver_form.html", {"form": form, "driver": driver})


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
        messages.error(request, fleet_message(error))
        return redirect(f"{driver.get_absolute_url()}?truck={form.cleaned_data['truck'].pk}")
    else:
        messages.success(
            request,
            _("%(truck)s is now assigned to %(name)s.") % {"truck": assignment.truck.code, "name": driver.full_name},
        )
    return redirect(driver)


@require_POST
@permission_required("fleet.change_assignment")
def driver_release(request, pk):
    driver = get_object_or_404(Driver, pk=pk)
    try:
        assignment = release(driver=driver, by=request.user)
    except FleetError as error:
        messages.error(request, fleet_message(error))
    else:
        messages.success(
            request,
            _("%(truck)s was released; %(name)s has no truck now.")
            % {"truck": assignment.truck.code, "name": driver.full_name},
        )
    return redirect(driver)
