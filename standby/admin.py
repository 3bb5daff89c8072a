from django.contrib import admin

from standby.models import Offer, SpareDoses, StandbyEntry


@admin.register(StandbyEntry)
class StandbyEntryAdmin(admin.ModelAdmin):
    list_display = ["person", "site", "first_day", "last_day", "arrive_within", "created_at", "outcome"]
    list_filter = ["site", "outcome"]
    raw_id_fields = ["person"]
    date_hierarchy = "created_at"


@admin.register(SpareDoses)
class SpareDosesAdmin(admin.ModelAdmin):
    list_display = ["slot", "doses", "until", "reason", "declared_by", "created_at"]
    list_filter = ["reason"]
    raw_id_fields = ["slot", "declared_by"]

    # Declared at the desk (standby.services.declare_spare_doses), which makes the slot and sends the offers.
    def has_add_permission(self, request):
        return False


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["entry", "spare", "status", "created_at", "expires_at", "accepted_at"]
    list_filter = ["status"]
    raw_id_fields = ["entry", "spare", "appointment"]
    readonly_fields = ["status", "accepted_at", "appointment"]

    def has_add_permission(self, request):
        return False
