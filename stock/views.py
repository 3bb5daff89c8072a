"""Stock pages (/clinic/stock/): a clinic's and a truck's lots on hand, their
movements and counts; the cold chain's excursions, the doses they affect and
the lead's decision on the quarantined lots."""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import audit
from accounts.roles import Role, permission_required, role_required
from audit.models import Action
from spreadsheet import safe_cell
from stock import queries, services
from stock.errors import StockError
from stock.forms import CountForm, DecisionForm, LotForm, MoveForm, MovementFilterForm, ReceiveForm, WasteForm
from stock.models import Lot, Quarantine

MOVEMENTS_PAGE_SIZE = 25
FORMS = {"receive": ReceiveForm, "count": CountForm, "move": MoveForm, "waste": WasteForm}


def _place_forms(request, place: dict, data=None, action=""):
    """The action forms of a place; the one named `action` bound to `data`."""
    lots = Lot.objects.filter(levels__in=queries.levels_at(**place)).select_related("vaccine").distinct()
    here = place["site"] or place["truck"]
    destinations = [(f"site:{s.pk}", s.name) for s in queries.clinics_of(request.user) if s != here]
    destinations += [(f"truck:{t.pk}", t.code) for t in queries.trucks_of(request.user) if t != here]
    kwargs = {
        "receive": {},
        "count": {"lots": lots},
        "move": {"lots": lots, "destinations": destinations},
        "waste": {"lots": lots},
    }
    return {
        name: form_class(data if name == action else None, prefix=name, **kwargs[name])
        for name, form_class in FORMS.items()
    }


def _destination(request, value: str) -> dict:
    """ "site:3" or "truck:7", among the places the user sees (the form's choices)."""
    kind, _sep, pk = value.partition(":")
    if kind == "site":
        return {"to_site": get_object_or_404(queries.clinics_of(request.user), pk=pk), "to_truck": None}
    return {"to_site": None, "to_truck": get_object_or_404(queries.trucks_of(request.user), pk=pk)}


def _act(request, place: dict, form, action: str):
    """Run the service of a bound, valid action form; message the outcome."""
    data, by = form.cleaned_data, request.user
    lot = data["lot"]
    try:
        if action == "receive":
            services.receive(lot=lot, quantity=data["quantity"], by=by, **place)
            messages.success(request, _("%(n)s doses of lot %(lot)s received.") % {"n": data["quantity"], "lot": lot})
        elif action == "count":
            services.count(lot=lot, counted=data["counted"], note=data["note"], by=by, **place)
            messages.success(request, _("Count of lot %(lot)s recorded.") % {"lot": lot.number})
        elif action == "move":
            source = {"from_site": place["site"], "from_truck": place["truck"]}
            services.move(lot=lot, quantity=data["quantity"], by=by, **source, **_destination(request, data["to"]))
            messages.success(request, _("%(n)s doses of lot %(lot)s moved.") % {"n": data["quantity"], "lot": lot})
        else:
            services.waste(lot=lot, quantity=data["quantity"], reason=data["reason"], note=data["note"], by=by, **place)
            messages.success(request, _("%(n)s doses of lot %(lot)s wasted.") % {"n": data["quantity"], "lot": lot})
    except StockError as error:
        messages.error(request, error.message)
        return False
    return True


def _stock_page(request, *, place: dict, template: str, extra: dict):
    """GET: the place's lots, movements and forms. POST: one action form."""
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST":
        if action not in FORMS:
            raise Http404
        if not request.user.has_perm("stock.add_stockmovement"):
            raise PermissionDenied
    forms = _place_forms(request, place, request.POST if action else None, action)
    if action and forms[action].is_valid() and _act(request, place, forms[action], action):
        return redirect(request.get_full_path())
    today = timezone.localdate()
    levels = list(queries.levels_at(**place))
    filters = MovementFilterForm(request.GET)
    movements = queries.movements_at(**place)
    if filters.is_valid():
        if filters.cleaned_data["kind"]:
            movements = movements.filter(kind=filters.cleaned_data["kind"])
        if filters.cleaned_data["lot"]:
            movements = movements.filter(lot__number__icontains=filters.cleaned_data["lot"].strip())
    page = Paginator(movements, MOVEMENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "levels": levels,
        "expiring": [level for level in levels if level.lot.expires_soon(today)],
        "expired": [level for level in levels if level.lot.is_expired(today)],
        "filters": filters,
        "page_obj": page,
        "forms": forms,
        "can_move": request.user.has_perm("stock.add_stockmovement"),
        "can_add_lot": request.user.has_perm("stock.add_lot"),
        "alerts": list(queries.alerts_for(request.user)),
        "today": today,
        **extra,
    }
    return render(request, template, context, status=400 if action else 200)


@role_required(Role.CLINIC_STAFF, Role.CAMPAIGN_LEAD)
@require_http_methods(["GET", "HEAD", "POST"])
def clinic_stock(request):
    sites = list(queries.clinics_of(request.user))
    wanted = request.GET.get("site") or request.POST.get("site")
    site = next((s for s in sites if str(s.pk) == str(wanted)), sites[0] if sites else None)
    if site is None:
        return render(request, "stock/clinic_stock.html", {"site": None, "sites": sites})
    return _stock_page(
        request,
        place={"site": site, "truck": None},
        template="stock/clinic_stock.html",
        extra={"site": site, "sites": sites},
    )


@permission_required("stock.view_stocklevel")
@require_http_methods(["GET", "HEAD", "POST"])
def truck_stock(request, pk):
    truck = get_object_or_404(queries.trucks_of(request.user), pk=pk)
    return _stock_page(
        request, place={"site": None, "truck": truck}, template="stock/truck_stock.html", extra={"truck": truck}
    )


@permission_required("stock.add_lot")
@require_http_methods(["GET", "HEAD", "POST"])
def lot_create(request):
    form = LotForm(request.POST or None)
    if form.is_valid():
        lot = form.save()
        messages.success(request, _("Lot %(lot)s recorded. Receive its doses on the stock page.") % {"lot": lot})
        return redirect("stock:clinic")
    return render(request, "stock/lot_form.html", {"form": form})


@permission_required("fleet.view_excursion")
@require_GET
def excursion_list(request):
    excursions = queries.excursions_of(request.user).prefetch_related("quarantines__lot")
    page = Paginator(excursions, MOVEMENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "stock/excursion_list.html", {"page_obj": page})


def _excursion(request, pk):
    return get_object_or_404(queries.excursions_of(request.user), pk=pk)


@permission_required("stock.view_quarantine")
@require_GET
def excursion_detail(request, pk):
    excursion = _excursion(request, pk)
    quarantines = Quarantine.objects.filter(excursion=excursion).select_related("lot__vaccine", "decided_by")
    doses = queries.affected_doses(excursion)
    page = Paginator(doses, MOVEMENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "stock/excursion_detail.html",
        {
            "excursion": excursion,
            # One form per lot, each with its own field ids.
            "quarantines": [(q, DecisionForm(auto_id=f"id_%s_{q.lot_id}")) for q in quarantines],
            "page_obj": page,
            "can_decide": request.user.has_perm("stock.decide_quarantine"),
        },
    )


@permission_required("stock.view_quarantine")
@require_GET
def affected_csv(request, pk):
    """The affected doses for the clinical lead: personal data, so audited."""
    excursion = _excursion(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="excursion-{excursion.pk}-affected-doses.csv"'
    writer = csv.writer(response)
    writer.writerow(["given_at", "lot", "code", "first_name", "last_name", "email", "phone", "clinic"])
    doses = queries.affected_doses(excursion)
    for dose in doses:
        person = dose.appointment.person
        row = [dose.at.isoformat(), dose.lot.number, dose.appointment.code, person.first_name, person.last_name]
        row += [person.email, str(person.phone or ""), dose.appointment.slot.site.name]
        writer.writerow([safe_cell(value) for value in row])
    audit.record(Action.DATA_EXPORT, target=excursion, data={"affected_doses": len(doses)})
    return response


@permission_required("stock.decide_quarantine")
@require_POST
def decide(request, pk, decision):
    lot = get_object_or_404(Lot, pk=pk)
    form = DecisionForm(request.POST)
    back = request.POST.get("excursion")
    if not form.is_valid():
        messages.error(request, _("Say why: the decision is kept in the audit log."))
    else:
        decide_lot = services.release if decision == "release" else services.discard
        try:
            decide_lot(lot=lot, reason=form.cleaned_data["reason"], by=request.user)
        except StockError as error:
            messages.error(request, error.message)
        else:
            done = _("Lot %(lot)s released.") if decision == "release" else _("Lot %(lot)s discarded.")
            messages.success(request, done % {"lot": lot.number})
    if back and back.isdigit() and queries.excursions_of(request.user).filter(pk=back).exists():
        return redirect("stock:excursion", pk=back)
    return redirect("stock:excursions")
