from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

import audit
from fleet.errors import fleet_message
from fleet.models import Assignment, Client, ClientMembership, Driver, Excursion, Truck, TruckCondition
from fleet.services import FleetError, assign, check_assignable, link_login, release_out_of_service


class AuditedAdmin(admin.ModelAdmin):
    """Driver and truck edits in the admin reach the audit log as the fleet
    pages' do (the admin saves inside a transaction: a failed save, no event)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # As on every path: an inactive driver or a retired truck keeps no assignment.
        ended = release_out_of_service(**{obj._meta.model_name: obj}, by=request.user)
        if ended is not None:
            self.message_user(
                request,
                _("%(truck)s was released: %(name)s no longer drives it.")
                % {"truck": ended.truck.code, "name": ended.driver.full_name},
                messages.INFO,
            )
        if change and not form.has_changed():
            return
        audit.record(
            f"{obj._meta.model_name}_{'update' if change else 'create'}",
            target=obj,
            data={"fields": sorted(form.changed_data), "source": "admin"},
        )


class LicenceFilter(admin.SimpleListFilter):
    title = _("licence")
    parameter_name = "licence"

    def lookups(self, request, model_admin):
        return [
            ("attention", _("Expired or expiring within 30 days")),
            ("expiring", _("Expiring within 30 days")),
            ("expired", _("Expired")),
        ]

    def queryset(self, request, queryset):
        return {
            "attention": queryset.licence_needs_attention,
            "expiring": queryset.licence_expiring,
            "expired": queryset.licence_expired,
        }.get(self.value(), lambda: queryset)()


class ClientMembershipInline(admin.TabularInline):
    model = ClientMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_name", "contact_email", "contact_phone"]
    search_fields = ["name", "contact_name", "contact_email"]
    inlines = [ClientMembershipInline]


@admin.register(ClientMembership)
class ClientMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "client"]
    list_filter = ["client"]
    list_select_related = ["user", "client"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "client__name"]
    autocomplete_fields = ["user", "client"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fk_name = "driver"
    extra = 0
    fields = ["truck", "since", "until", "assigned_by", "ended_by"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    ordering = ["-since"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Driver)
class DriverAdmin(AuditedAdmin):
    list_display = ["last_name", "first_name", "licence_number", "licence_expiry", "phone", "client", "is_active"]
    list_display_links = ["last_name", "first_name"]
    list_filter = ["is_active", LicenceFilter, "client"]
    list_select_related = ["client"]
    search_fields = ["last_name", "first_name", "licence_number", "email", "phone"]
    search_help_text = _("Name, licence number, phone, email or current truck code.")
    autocomplete_fields = ["client"]
    date_hierarchy = "licence_expiry"
    # The account follows the login email (fleet.services.link_login), with its role.
    readonly_fields = ["user", "created_at", "updated_at"]
    inlines = [AssignmentInline]
    fieldsets = [
        (None, {"fields": ["first_name", "last_name", "is_active", "client", "login_email", "user"]}),
        (_("Licence"), {"fields": ["licence_number", "licence_expiry"]}),
        (_("Contact"), {"fields": ["phone", "phone_unparsed", "email", "address", "date_of_birth"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        link_login(driver=obj, email=obj.login_email)

    def get_search_results(self, request, queryset, search_term):
        # The same indexed search as the driver list (trigram index on
        # PostgreSQL) instead of the admin's OR of unindexed UPPER(...) LIKEs.
        return queryset.search(search_term), False


@admin.register(Truck)
class TruckAdmin(AuditedAdmin):
    list_display = ["code", "plate", "make", "model", "year", "status"]
    list_filter = ["status", "make"]
    search_fields = ["code", "plate", "make", "model"]
    readonly_fields = ["created_at", "updated_at"]

    def get_search_results(self, request, queryset, search_term):
        return queryset.search(search_term), False


class AssignmentAddForm(forms.ModelForm):
    """A new assignment from the admin: the pair is checked by the service's
    rule (an expired licence, an inactive driver, a truck out of service)."""

    class Meta:
        model = Assignment
        fields = ["driver", "truck"]

    def clean(self):
        data = super().clean()
        if data.get("driver") and data.get("truck"):
            try:
                check_assignable(driver=data["driver"], truck=data["truck"])
            except FleetError as error:
                raise forms.ValidationError(fleet_message(error)) from None
        return data


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["truck", "driver", "since", "until", "assigned_by", "ended_by"]
    list_filter = [("until", admin.EmptyFieldListFilter), "truck__status"]
    list_select_related = ["truck", "driver", "assigned_by", "ended_by"]
    search_fields = ["truck__code", "driver__last_name", "driver__first_name", "driver__licence_number"]
    autocomplete_fields = ["driver", "truck", "assigned_by", "ended_by"]
    date_hierarchy = "since"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = AssignmentAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["driver", "truck"] if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # Who drives which truck changes only through the services (assign,
        # release): here an existing assignment's pair stays as it was.
        return ["driver", "truck"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # The same service as the pages and the API; a concurrent change the
        # form's check could not see is refused there, in its words.
        try:
            created = assign(driver=obj.driver, truck=obj.truck, by=request.user)
        except FleetError as error:
            raise forms.ValidationError(fleet_message(error)) from None
        obj.pk, obj.since, obj.assigned_by = created.pk, created.since, created.assigned_by
        obj._state.adding = False


@admin.register(TruckCondition)
class TruckConditionAdmin(admin.ModelAdmin):
    """Reports come from the monitoring systems through the API; read them here."""

    list_display = ["truck", "status", "odometer_km", "recorded_at", "received_at", "reported_by"]
    list_filter = ["status"]
    search_fields = ["truck__code"]
    list_select_related = ["truck", "reported_by"]
    readonly_fields = ["truck", "status", "odometer_km", "readings", "recorded_at", "received_at", "reported_by"]

    def has_add_permission(self, request):
        return False


@admin.register(Excursion)
class ExcursionAdmin(admin.ModelAdmin):
    """Found in the readings (fleet.coldchain), never written by hand."""

    list_display = ["truck", "started_at", "ended_at", "worst_celsius", "low_celsius", "high_celsius"]
    list_select_related = ["truck"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # its quarantines refer to it
