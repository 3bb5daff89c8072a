from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

import outbox
from outbox.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The sending log: what was owed, to whom, and what became of it.
    Rows are written only by the code that owes them."""

    list_display = ["created_at", "kind", "channel", "to", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["to", "kind"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Message._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Try the selected failed messages again now"), permissions=["change"])
    def retry_now(self, request, queryset):
        from django.utils import timezone

        ids = list(queryset.filter(status=Message.Status.FAILED).values_list("pk", flat=True))
        Message.objects.filter(pk__in=ids).update(
            status=Message.Status.PENDING, attempts=0, available_at=timezone.now()
        )
        for message_id in ids:
            outbox.hand_off(message_id)
        count = len(ids)
        self.message_user(
            request, ngettext("%d message queued again.", "%d messages queued again.", count) % count, messages.SUCCESS
        )
