from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from readiness import services
from readiness.errors import ReadinessError
from readiness.models import (
    ChecklistItem,
    Defect,
    Document,
    DocumentType,
    Inspection,
    InspectionAnswer,
    OdometerReading,
    ServicePlan,
    ServiceRecord,
)


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ("name", "name_es", "critical", "position", "is_active")
    list_editable = ("critical", "position", "is_active")


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "name_es", "code", "applies_to")
    prepopulated_fields = {"code": ("name",)}


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("type", "number", "truck", "driver", "issued_on", "expires_on")
    list_filter = ("type",)
    search_fields = ("number", "truck__code", "driver__last_name")
    autocomplete_fields = ("truck", "driver")
    date_hierarchy = "expires_on"


class AnswerInline(admin.TabularInline):
    model = InspectionAnswer
    extra = 0
    readonly_fields = ("item", "passed", "critical", "note", "photo")
    can_delete = False


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    """Inspections are a driver's record: read here, filed from the phone."""

    list_display = ("truck", "driver", "at", "passed", "odometer_km")
    list_filter = ("passed",)
    inlines = [AnswerInline]
    readonly_fields = ("truck", "driver", "at", "odometer_km", "passed", "by")

    def has_add_permission(self, request):
        return False


@admin.register(Defect)
class DefectAdmin(admin.ModelAdmin):
    """Closed on the truck's page (readiness.services.close_defect), which
    also puts the truck back into service."""

    list_display = ("truck", "description", "critical", "opened_at", "closed_at")
    list_filter = ("critical", ("closed_at", admin.EmptyFieldListFilter))
    readonly_fields = (
        "truck",
        "answer",
        "description",
        "critical",
        "opened_at",
        "closed_at",
        "closed_by",
        "repair_note",
    )

    def has_add_permission(self, request):
        return False


class OdometerForm(forms.ModelForm):
    class Meta:
        model = OdometerReading
        fields = ("truck", "km", "at")

    def clean(self):
        data = super().clean()
        truck, km = data.get("truck"), data.get("km")
        if truck and km is not None and not self.instance.pk:
            last = OdometerReading.objects.filter(truck=truck).order_by("-km").values_list("km", flat=True).first()
            if last is not None and km < last:
                raise forms.ValidationError(ReadinessError("odometer_backwards", last=last).message)
        return data


@admin.register(OdometerReading)
class OdometerReadingAdmin(admin.ModelAdmin):
    """Readings by hand go through the service, which refuses one lower than the last."""

    form = OdometerForm
    list_display = ("truck", "km", "at", "source")
    list_filter = ("source",)
    autocomplete_fields = ("truck",)

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        reading = services.record_odometer(truck=obj.truck, km=obj.km, at=obj.at, by=request.user)
        obj.pk = reading.pk


@admin.register(ServicePlan)
class ServicePlanAdmin(admin.ModelAdmin):
    list_display = ("truck", "name", "interval_months", "interval_km", "last_done_on", "next_due_on", "next_due_km")
    readonly_fields = ("next_due_on", "next_due_km")
    autocomplete_fields = ("truck",)
    search_fields = ("truck__code", "name")


@admin.register(ServiceRecord)
class ServiceRecordAdmin(admin.ModelAdmin):
    """A completed service goes through the service, which moves its plan's next due date."""

    list_display = ("truck", "plan", "done_on", "odometer_km", "cost")
    fields = ("plan", "done_on", "odometer_km", "cost", "notes")
    autocomplete_fields = ("plan",)

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        record = services.complete_service(
            plan=obj.plan,
            done_on=obj.done_on,
            odometer_km=obj.odometer_km,
            cost=obj.cost,
            notes=obj.notes,
            by=request.user,
        )
        obj.pk = record.pk

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "plan" in form.base_fields:  # not on a recorded service's page, which only shows it
            form.base_fields["plan"].required = True
            form.base_fields["plan"].help_text = _("The truck is the plan's.")
        return form
