"""The truck pages: list, detail (with its mobile clinic days and reported
condition), create and edit."""

from django.contrib import messages
from django.contrib.admin.models import ADDITION, CHANGE
from django.db import transaction
from django.db.models import Max, Min
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.roles import permission_required
from fleet import hooks
from fleet.forms import TruckFilterForm, TruckForm
from fleet.models import Truck
from fleet.services import release_out_of_service
from fleet.views.common import HISTORY_LIMIT, list_page, log_change, recent_changes, say_released

# The truck page shows the latest reported condition and this many reports.
CONDITIONS_SHOWN = 10
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
    return list_page(request, "truck", TruckFilterForm, Truck.objects.with_current_driver, columns, words)


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
            "changes": recent_changes(truck) if can_edit else [],
            "clinics": clinic_days(truck),
            "conditions": list(truck.conditions.order_by("-recorded_at", "-id")[:CONDITIONS_SHOWN]),
            "sections": hooks.sections("truck", request, truck),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("fleet.add_truck")
def truck_create(request):
    form = TruckForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with transaction.atomic():
            truck = form.save()
            log_change(request, truck, ADDITION, form)
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
                log_change(request, truck, CHANGE, form)
            ended = release_out_of_service(truck=truck, by=request.user)
        messages.success(request, _("Truck %(code)s was saved.") % {"code": truck.code})
        say_released(request, ended)
        return redirect(truck)
    return render(request, "fleet/truck_form.html", {"form": form, "truck": truck})


# Mobile clinics

CLINIC_DAYS_SHOWN = 14


def clinic_days(truck):
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
        today = timezone.localtime(now, site.tzinfo).date()
        clinics.append({"site": site, "days": list(days), "today": today})
    return clinics
