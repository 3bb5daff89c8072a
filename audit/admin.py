from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is searched here, never edited."""

    list_display = ["at", "action", "actor_label", "target_label", "ip"]
    list_filter = ["action"]
    date_hierarchy = "at"
    search_fields = ["actor_label", "target_label", "ip", "target_id"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    list_select_related = False
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
