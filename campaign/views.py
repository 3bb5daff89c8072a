from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.views.decorators.http import require_GET

import audit
from accounts.roles import permission_required
from audit.models import Action
from campaign import charts, exports, summaries
from campaign.figures import overview as compute_overview
from campaign.forms import FilterForm
from campaign.sections import APPOINTMENTS, ITS_GENERATIONS, PROVIDERS, generations_of, optional_sections, sections_of
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


@require_GET
@permission_required("campaign.view_overview")
@fragments.snapshot()  # its cached parts read their generations in one round trip
def overview(request):
    form = FilterForm(request.GET or {})
    if not form.is_valid():
        return _invalid(request, form)
    filters = form.filters
    depends_on = (FREE_SEATS, CATALOGUE, *(day_board(pk) for pk in Site.objects.values_list("pk", flat=True)))

    def appointments_part():
        """Everything drawn from appointments, slots and the catalogue, kept
        as one value: the figures, the sections of the APPOINTMENTS
        providers (walk-ins), and the filter form (valid here; an invalid one
        is drawn with its errors), whose choices are the catalogue's."""
        return {
            "figures_html": _figures_html(request, filters),
            "sections": {p.app_label: sections_of(p, filters) for p in PROVIDERS if p.cached_on == APPOINTMENTS},
            "filter_form_html": render_to_string("campaign/_filter_form.html", {"form": form}, request=request),
        }

    part = fragments.cached_value(
        "campaign-overview", depends_on, (form.query(),), appointments_part, timeout=FIGURES_SECONDS
    )

    def cached(provider, compute):
        if provider.cached_on == APPOINTMENTS:
            return part["sections"].get(provider.app_label, [])
        if provider.cached_on == ITS_GENERATIONS and (on := generations_of(provider)):
            kind = f"campaign-section-{provider.app_label}"
            return fragments.cached_value(kind, on, (form.query(),), compute, timeout=FIGURES_SECONDS)
        return compute()

    context = {
        "form": form,
        "filters": filters,
        "filter_form_html": part["filter_form_html"],
        "figures_html": part["figures_html"],  # render_to_string made it safe; the cache keeps the type
        "sections": optional_sections(filters, cached=cached),
        "can_export_personal": request.user.has_perm("campaign.export_personal_data"),
    }
    return render(request, "campaign/overview.html", context)


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
