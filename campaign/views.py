from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.views.decorators.http import require_GET

import audit
from accounts.roles import permission_required
from audit.models import Action
from campaign import charts, exports, sections, summaries
from campaign.figures import overview as compute_overview
from campaign.forms import FilterForm
from pagecache import fragments
from vaccination.models import CATALOGUE, FREE_SEATS, Site, day_board


def _short_day(day):
    return formats.date_format(day, "SHORT_DAY_MONTH_FORMAT")


def _invalid(request, form):
    """The overview with the form's errors and no figures: 400, so a script
    asking for an export with bad dates learns it did not get one."""
    return render(request, "campaign/overview.html", {"form": form}, status=400)


# The figures are cached as HTML until a clinic's appointments, slots or
# catalogue change (the generations vaccination's signals and services bump),
# and at most this long: "the next 14 days" moves on, and seats taken during a
# burst bump FREE_SEATS only every few seconds.
FIGURES_SECONDS = 60


def _figures_html(request, filters):
    figures = compute_overview(filters)
    clinics = figures.active_clinics
    no_show_rows = [(c.site.name, c.no_show_rate or 0, summaries.percent(c.no_show_rate)) for c in clinics]
    context = {
        "figures": figures,
        "clinics": clinics,
        "clinic_rows": [
            {"figures": c, "no_show_rate": summaries.percent(c.no_show_rate), "fill": summaries.percent(c.fill)}
            for c in clinics
        ],
        "no_show_rate": summaries.percent(figures.totals["no_show_rate"]),
        "daily_chart": charts.daily_chart(figures.days, label_day=_short_day),
        "no_show_chart": charts.bar_chart(no_show_rows, maximum=1),
        "cancel_chart": charts.bar_chart([(c.site.name, c.cancelled, str(c.cancelled)) for c in clinics]),
        "seats_chart": charts.bar_chart([(c.site.name, c.seats_left, str(c.seats_left)) for c in clinics]),
        "summaries": summaries.of(figures, clinics),
        "computed_at": timezone.localtime(),
    }
    return render_to_string("campaign/_figures.html", context, request=request)


def _appointments_part(request, form, filters) -> dict:
    """Everything drawn from appointments, slots and the catalogue, kept as
    one value: the figures, the sections of the APPOINTMENTS providers
    (walk-ins), and the filter form (valid here; an invalid one is drawn with
    its errors), whose choices are the catalogue's."""
    return {
        "figures_html": _figures_html(request, filters),
        "sections": {
            p.app_label: sections.sections_of(p, filters)
            for p in sections.installed()
            if p.cached_on == sections.APPOINTMENTS
        },
        "filter_form_html": render_to_string("campaign/_filter_form.html", {"form": form}, request=request),
    }


def _content_html(request, form, filters, depends_on, can_export_personal) -> str:
    """The page body, from the parts' own cached copies."""
    part = fragments.cached_value(
        "campaign-overview",
        depends_on,
        (form.query(),),
        lambda: _appointments_part(request, form, filters),
        timeout=FIGURES_SECONDS,
    )

    def cached(provider, compute):
        if provider.cached_on == sections.APPOINTMENTS:
            return part["sections"].get(provider.app_label, [])
        if provider.cached_on == sections.ITS_GENERATIONS and (on := sections.generations_of(provider)):
            kind = f"campaign-section-{provider.app_label}"
            seconds = sections.seconds_of(provider, FIGURES_SECONDS)
            return fragments.cached_value(kind, on, (form.query(),), compute, timeout=seconds)
        return compute()

    context = {
        "form": form,
        "filters": filters,
        "filter_form_html": part["filter_form_html"],
        "figures_html": part["figures_html"],  # render_to_string made it safe; the cache keeps the type
        "sections": sections.optional_sections(filters, cached=cached),
        "can_export_personal": can_export_personal,
    }
    return render_to_string("campaign/_overview_content.html", context, request=request)


@require_GET
@permission_required("campaign.view_overview")
@fragments.snapshot()  # its cached parts read their generations in one round trip
def overview(request):
    form = FilterForm(request.GET or {})
    if not form.is_valid():
        return _invalid(request, form)
    filters = form.filters
    # Every clinic's day board: the clinics are the catalogue's (a new one bumps it).
    site_ids = fragments.cached_value(
        "site-ids", (CATALOGUE,), (), lambda: list(Site.objects.values_list("pk", flat=True))
    )
    depends_on = (FREE_SEATS, CATALOGUE, *(day_board(pk) for pk in site_ids))
    can_export_personal = request.user.has_perm("campaign.export_personal_data")
    # The whole page body, on every generation its parts are drawn from, for
    # as long as the shortest-lived part may be kept: a look at an unchanged
    # campaign is one read of the cache. On a miss the parts are read from
    # their own copies, so a stock change redraws no figure.
    own = [p for p in sections.installed() if p.cached_on == sections.ITS_GENERATIONS]
    everything = depends_on + tuple(name for p in own for name in sections.generations_of(p))
    seconds = min([FIGURES_SECONDS, *(sections.seconds_of(p, FIGURES_SECONDS) for p in own)])
    content_html = fragments.cached_html(
        "campaign-overview-page",
        everything,
        (form.query(), can_export_personal),
        lambda: _content_html(request, form, filters, depends_on, can_export_personal),
        timeout=seconds,
    )
    return render(request, "campaign/overview.html", {"form": form, "filters": filters, "content_html": content_html})


def _export(request, *, chunks, content_type, extension):
    form = FilterForm(request.GET)
    if not form.is_valid():
        return _invalid(request, form)
    personal = request.GET.get("personal") == "1"
    if personal:
        if not request.user.has_perm("campaign.export_personal_data"):
            raise PermissionDenied
        # Recorded before the first byte leaves: a download cut short was still asked for.
        audit.record(
            Action.CAMPAIGN_EXPORT,
            data={"format": extension, "filters": form.query()},
        )
    filters = form.filters
    response = StreamingHttpResponse(chunks(filters, personal=personal), content_type=content_type)
    name = f"doses-{filters.first_day:%Y%m%d}-{filters.last_day:%Y%m%d}{'-personal' if personal else ''}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Proxies must not buffer or keep a copy of health data.
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"
    return response


@require_GET
@permission_required("campaign.view_overview", "campaign.export_doses")
def export_csv(request):
    return _export(request, chunks=exports.csv_chunks, content_type="text/csv; charset=utf-8", extension="csv")


@require_GET
@permission_required("campaign.view_overview", "campaign.export_doses")
def export_fhir(request):
    return _export(request, chunks=exports.fhir_chunks, content_type="application/fhir+json", extension="json")
