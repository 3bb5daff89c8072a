from django.contrib import admin, messages
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from vaccination.errors import timetable_message
from vaccination.forms import GenerateSlotsForm
from vaccination.models import (
    Appointment,
    CheckInLog,
    OpeningHours,
    ScreeningQuestion,
    Site,
    Slot,
    SlotOverlapError,
    Vaccine,
)
from vaccination.timetable import TimetableError, generate_slots, single_period


def _overlap_message(clash: SlotOverlapError) -> str:
    def when(start, end):
        start, end = timezone.localtime(start, clash.site.tzinfo), timezone.localtime(end, clash.site.tzinfo)
        return f"{formats.date_format(start, 'SHORT_DATE_FORMAT')} {start:%H:%M}-{end:%H:%M}"

    return _(
        "%(site)s: nothing was created, the slot %(new)s would overlap the existing slot %(old)s. "
        "Use the opening times and slot length of the earlier run, or other days."
    ) % {"site": clash.site, "new": when(clash.start, clash.end), "old": when(clash.existing_start, clash.existing_end)}


def _run_message(created: int, already_there: int, other_capacity: int) -> str:
    words = ngettext("%(n)d slot created", "%(n)d slots created", created) % {"n": created}
    words += ngettext(", %(n)d already there", ", %(n)d already there", already_there) % {"n": already_there}
    if other_capacity:
        words += ngettext(
            " (%(n)d with another capacity, left as it was)",
            " (%(n)d with another capacity, left as they were)",
            other_capacity,
        ) % {"n": other_capacity}
    return words + "."


class ScreeningQuestionInline(admin.TabularInline):
    model = ScreeningQuestion
    extra = 1
    fields = ["order", "text", "text_es", "yes_needs_clinician", "is_active"]


@admin.register(Vaccine)
class VaccineAdmin(admin.ModelAdmin):
    list_display = ["name", "doses_required", "min_days_between_doses"]
    search_fields = ["name"]
    inlines = [ScreeningQuestionInline]


class OpeningHoursInline(admin.TabularInline):
    """Read-only here: set_opening_hours checks a day's periods against each
    other, which a row-by-row inline cannot; the set-up page edits them."""

    model = OpeningHours
    extra = 0
    fields = ["weekday", "opens", "closes"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "is_mobile", "truck", "time_zone"]
    list_filter = ["is_active", "is_mobile", "time_zone"]
    list_select_related = ["truck"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["truck"]
    filter_horizontal = ["staff"]
    inlines = [OpeningHoursInline]
    actions = ["generate_slots"]

    @admin.action(description=_("Generate slots for the selected clinics"), permissions=["add_slot"])
    def generate_slots(self, request, queryset):
        """Same as the generate_slots command: skips slots that exist."""
        form = GenerateSlotsForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            data = form.cleaned_data
            hours = single_period(
                opens=data["opens"], closes=data["closes"], weekdays=range(5) if data["weekdays_only"] else None
            )
            created = already_there = other_capacity = 0
            for site in queryset:
                try:
                    run = generate_slots(
                        site=site,
                        vaccine=data["vaccine"],
                        first_day=data["start_date"],
                        last_day=data["end_date"],
                        minutes=data["minutes"],
                        capacity=data["capacity"],
                        hours=hours,
                        by=request.user,
                    )
                except TimetableError as error:
                    if error.code == "slot_overlap":
                        words = _overlap_message(error.details["clash"])
                    else:
                        words = f"{site}: {timetable_message(error)}"
                    self.message_user(request, words, messages.ERROR)
                    continue
                created += run.created
                already_there += run.already_there
                other_capacity += run.other_capacity
            self.message_user(request, _run_message(created, already_there, other_capacity), messages.SUCCESS)
            return None
        return render(
            request,
            "vaccination/admin/generate_slots.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Generate slots"),
                "form": form,
                "sites": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def has_add_slot_permission(self, request):
        return request.user.has_perm("vaccination.add_slot")


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["start", "end", "site", "vaccine", "capacity", "booked_count"]
    list_filter = ["site", "vaccine", ("start", admin.DateFieldListFilter)]
    list_select_related = ["site", "vaccine"]
    search_fields = ["site__name", "vaccine__name"]
    date_hierarchy = "start"
    readonly_fields = ["booked_count"]
    autocomplete_fields = ["site", "vaccine"]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["code", "person", "slot", "dose_number", "status", "created_at"]
    list_filter = ["status", "slot__site", "slot__vaccine", "dose_number"]
    list_select_related = ["person", "slot__site", "slot__vaccine"]
    search_fields = ["code", "person__email", "person__last_name", "person__first_name"]
    date_hierarchy = "created_at"
    raw_id_fields = ["person", "slot", "checked_in_by", "checked_in_site", "dose_given_by"]
    # Seats and codes change only through the booking services; the admin
    # may look and correct check-in details, not move people between slots.
    readonly_fields = [
        "code",
        "person",
        "slot",
        "status",
        "sequence",
        "created_at",
        "updated_at",
        "cancelled_at",
        "reminder_sent_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(CheckInLog)
class CheckInLogAdmin(admin.ModelAdmin):
    """The desk's log is evidence: it can be read and searched, never changed."""

    list_display = ["at", "action", "reason", "code", "typed", "site", "user"]
    list_filter = ["action", "reason", "site", ("at", admin.DateFieldListFilter)]
    list_select_related = ["site", "user"]
    search_fields = ["code", "typed", "user__email", "user__last_name", "note"]
    date_hierarchy = "at"
    raw_id_fields = ["appointment", "user", "site"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
