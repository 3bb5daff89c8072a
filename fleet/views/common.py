"""What the fleet pages share: bounded pagination, sortable columns, the
cached list page and the change history."""

from functools import cached_property

from django.contrib import messages
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

import audit
from fleet.models import FLEET_REGISTER
from pagecache import fragments

PAGE_SIZE = 25
HISTORY_LIMIT = 50


class BoundedPaginator(Paginator):
    """Counts at most `limit` matches: counting every row of a broad search
    over 100,000 drivers would cost more than the page itself. Past the
    limit the page says "1,000+" and the user narrows the search."""

    limit = 1000

    @cached_property
    def _bounded_count(self):
        # Neither order nor the current-truck columns matter for counting.
        return self.object_list.order_by().values("pk")[: self.limit + 1].count()

    @cached_property
    def count(self):
        return min(self._bounded_count, self.limit)

    @property
    def count_is_capped(self):
        return self._bounded_count > self.limit

    # From this offset on, a page first reads its rows' ids alone, then the
    # rows: otherwise PostgreSQL computes the current-truck subqueries of
    # every skipped row too (page 40 cost 3 x page 1, measured by make bench).
    deep_offset = 100

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < self.deep_offset:
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def _sort_columns(current, columns):
    """Header links of a sortable table: each click sorts by that column,
    a second click reverses it."""
    headers = []
    for key, label in columns:
        if key is None:
            headers.append({"label": label})
            continue
        direction = "ascending" if current == key else "descending" if current == f"-{key}" else None
        headers.append(
            {"label": label, "next": f"-{key}" if current == key else key, "direction": direction, "key": key}
        )
    return headers


def list_page(request, name, form_class, rows, columns, words, extra=None):
    """A fleet list page: search, sortable table and bounded pages of `rows()`.

    Everyone who may open a fleet list sees the whole register (visible_to),
    so the rendered list is the same for all of them: it is kept in the
    shared cache until the register changes (FLEET_REGISTER, bumped by
    fleet.signals) and only the page around it, with each role's buttons,
    is rendered per request. `extra`: more context for the page around it."""

    def results():
        form = form_class(request.GET)
        page = BoundedPaginator(form.filter(rows()), PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "form": form,
            "page_obj": page,
            "columns": _sort_columns(form.sort_key, columns),
            "clear_url": request.path,
            **words,
        }
        return render_to_string(f"fleet/_{name}_results.html", context, request)

    html = fragments.cached_html(f"{name}-list", (FLEET_REGISTER,), (request.GET.urlencode(),), results)
    return render(request, f"fleet/{name}_list.html", {"results": html, **(extra or {})})


def log_change(request, obj, action, form):
    """Record who created or changed a record in Django's admin history and
    in the audit log (the names of the changed fields, not their values)."""
    kind = obj._meta.model_name  # "driver" or "truck"
    audit.record(
        f"{kind}_create" if action == ADDITION else f"{kind}_update",
        target=obj,
        data={"fields": sorted(form.changed_data)},
    )
    message = [{"added": {}}] if action == ADDITION else [{"changed": {"fields": form.changed_data}}]
    LogEntry.objects.log_actions(
        user_id=request.user.pk, queryset=[obj], action_flag=action, change_message=message, single_object=True
    )


def recent_changes(obj):
    return (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
        .select_related("user")
        .order_by("-action_time")[:10]
    )


def say_released(request, ended):
    """After saving an inactive driver or a retired truck (services.release_out_of_service)."""
    if ended is not None:
        messages.info(
            request,
            _("%(truck)s was released: %(name)s no longer drives it.")
            % {"truck": ended.truck.code, "name": ended.driver.full_name},
        )
