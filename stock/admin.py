"""Lots are made and corrected here; the ledger and what follows from it are
read-only: doses change only through stock.services (the pages and the API)."""

from django.contrib import admin

from stock.models import ColdChainAlert, Lot, Quarantine, StockLevel, StockMovement


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Lot)
class LotAdmin(admin.ModelAdmin):
    list_display = ["number", "vaccine", "expires_on", "status", "min_celsius", "max_celsius"]
    list_filter = ["vaccine", "status"]
    search_fields = ["number"]
    # Quarantine and its end go through stock.services (audited), never a field edit.
    readonly_fields = ["status", "created_at"]


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ["lot", "site", "truck", "quantity"]
    list_select_related = ["lot__vaccine", "site", "truck"]
    list_filter = ["site"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["at", "lot", "kind", "quantity", "site", "truck", "reason", "by"]
    list_select_related = ["lot__vaccine", "site", "truck", "by"]
    list_filter = ["kind", "reason"]
    search_fields = ["lot__number"]
    date_hierarchy = "at"


@admin.register(Quarantine)
class QuarantineAdmin(ReadOnlyAdmin):
    list_display = ["lot", "excursion", "created_at", "decision", "decided_by"]
    list_select_related = ["lot__vaccine", "excursion__truck", "decided_by"]


@admin.register(ColdChainAlert)
class ColdChainAlertAdmin(ReadOnlyAdmin):
    list_display = ["excursion", "created_at"]
