"""Setting up a clinic without the admin (campaign leads and admins): its
details, its weekly opening hours, its desk staff and its slots, one step
after another. The rules are vaccination.timetable's, the same as the
generate_slots command's; every change is audited."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Min, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

import audit
from accounts.roles import permission_required
from audit.models import Action
from campaign.clinic_forms import ClinicForm, PeriodFormSet, SlotsForm, StaffForm, week_from
from vaccination.errors import timetable_message
from vaccination.models import Site
from vaccination.timetable import TimetableError, generate_slots, set_opening_hours, set_staff

SET_UP = ("vaccination.change_site",)
HOURS = (*SET_UP, "vaccination.add_openinghours", "vaccination.change_openinghours", "vaccination.delete_openinghours")
SLOTS = (*SET_UP, "vaccination.add_slot")


def _clinic(pk):
    return get_object_or_404(Site.objects.select_related("truck").prefetch_related("opening_hours"), pk=pk)


def _step(request, template, site, step, **context):
    return render(request, f"campaign/{template}", {"site": site, "step": step, **context})


@require_GET
@permission_required(*SET_UP)
def clinic_list(request):
    now = timezone.now()
    clinics = (
        Site.objects.select_related("truck")
        .prefetch_related("opening_hours")
        .annotate(
            staff_count=Count("staff", distinct=True),
            coming_slots=Count("slots", filter=Q(slots__start__gt=now), distinct=True),
        )
        .order_by("name")
    )
    return render(request, "campaign/clinic_list.html", {"clinics": clinics})


@require_GET
@permission_required(*SET_UP)
def clinic_detail(request, pk):
    site = _clinic(pk)
    coming = (
        site.slots.filter(start__gt=timezone.now())
        .values("vaccine__name")
        .annotate(slots=Count("pk"), first=Min("start"))
        .order_by("vaccine__name")
    )
    context = {
        "site": site,
        "week": site.opening_hours_summary(),
        "staff": site.staff.order_by("last_name", "first_name", "email"),
        "coming": list(coming),  # the template shows each first start in the clinic's time zone
    }
    return render(request, "campaign/clinic_detail.html", context)


def _save_clinic(request, form, action):
    with transaction.atomic():
        site = form.save()
        audit.record(action, target=site, data={"fields": sorted(form.changed_data)})
    return site


@require_http_methods(["GET", "POST"])
@permission_required("vaccination.add_site", *SET_UP)
def clinic_create(request):
    form = ClinicForm(request.POST or None)
    if form.is_valid():
        site = _save_clinic(request, form, Action.CLINIC_CREATE)
        messages.success(request, _("%(name)s was added. Now set its opening hours.") % {"name": site.name})
        return redirect("campaign:clinic-hours", pk=site.pk)
    return render(request, "campaign/clinic_form.html", {"form": form, "site": None, "step": "details"})


@require_http_methods(["GET", "POST"])
@permission_required(*SET_UP)
def clinic_edit(request, pk):
    site = _clinic(pk)
    form = ClinicForm(request.POST or None, instance=site)
    if form.is_valid():
        if form.has_changed():
            _save_clinic(request, form, Action.CLINIC_UPDATE)
        messages.success(request, _("%(name)s was saved.") % {"name": site.name})
        return redirect("campaign:clinic-detail", pk=site.pk)
    return _step(request, "clinic_form.html", site, "details", form=form)


@require_http_methods(["GET", "POST"])
@permission_required(*HOURS)
def clinic_hours(request, pk):
    site = _clinic(pk)
    initial = [
        {"weekday": day.weekday, "opens": opens, "closes": closes}
        for day in site.opening_hours_summary()
        for opens, closes in day.periods
    ]
    formset = PeriodFormSet(request.POST or None, initial=initial, prefix="hours")
    if formset.is_valid():
        try:
            set_opening_hours(site=site, hours=week_from(formset), by=request.user)
        except TimetableError as error:
            formset.non_form_errors().append(timetable_message(error))
        else:
            messages.success(request, _("The opening hours were saved. Now choose who works at the desk."))
            return redirect("campaign:clinic-staff", pk=site.pk)
    return _step(request, "clinic_hours.html", site, "hours", formset=formset)


@require_http_methods(["GET", "POST"])
@permission_required(*SET_UP)
def clinic_staff(request, pk):
    site = _clinic(pk)
    form = StaffForm(request.POST or None, site=site)
    if form.is_valid():
        set_staff(site=site, staff=form.cleaned_data["staff"], by=request.user)
        messages.success(request, _("The clinic staff were saved. Now generate the slots people can book."))
        return redirect("campaign:clinic-slots", pk=site.pk)
    return _step(request, "clinic_staff.html", site, "staff", form=form)


@require_http_methods(["GET", "POST"])
@permission_required(*SLOTS)
def clinic_slots(request, pk):
    """GET: the form. POST: a preview of what would be created; POST with
    `confirm`: create them. Both run the same generate_slots."""
    site = _clinic(pk)
    today = site.today()
    form = SlotsForm(request.POST or None, initial={"first_day": today, "last_day": today})
    preview = None
    if form.is_valid():
        confirm = "confirm" in request.POST
        try:
            run = generate_slots(site=site, preview=not confirm, by=request.user, **form.cleaned_data)
        except TimetableError as error:
            form.add_error(SlotsForm.FIELDS.get(error.code), timetable_message(error))
        else:
            if confirm:
                messages.success(
                    request,
                    _("%(created)s slots were created, %(there)s were already there.")
                    % {"created": run.created, "there": run.already_there},
                )
                return redirect("campaign:clinic-detail", pk=site.pk)
            preview = run
    starts_in_past = preview is not None and form.cleaned_data["first_day"] < today
    return _step(request, "clinic_slots.html", site, "slots", form=form, preview=preview, starts_in_past=starts_in_past)
