"""The desk's side, for clinic staff: register a walk-in, declare spare doses."""

from datetime import datetime

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from accounts.roles import Role, role_required
from standby import services, walkins
from standby.errors import StandbyError, message
from standby.forms import SpareDosesForm, WalkInForm
from standby.models import Offer, SpareDoses, StandbyEntry
from vaccination.views_clinic import desk_site  # the desk's clinic choice, one rule for every desk page


@role_required(Role.CLINIC_STAFF)
@require_http_methods(["GET", "HEAD", "POST"])
def walk_in(request):
    site, sites = desk_site(request)
    context = {"site": site, "sites": sites, "matches": []}
    if site is None:
        return render(request, "standby/walk_in.html", context)
    form = WalkInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = User.objects.filter(pk=data["person"]).first() if data.get("person") else None
        try:
            appointment = walkins.register_walk_in(
                site=site,
                vaccine=data["vaccine"],
                desk_user=request.user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
                phone=data["phone"],
                email=data["email"],
                person=person,
            )
        except StandbyError as error:
            form.add_error(None, message(error))
            context["matches"] = error.matches
        else:
            messages.success(
                request,
                _("%(name)s is checked in with code %(code)s. Record the dose after the injection.")
                % {"name": appointment.person.get_full_name(), "code": appointment.code},
            )
            return redirect("clinic:appointment", pk=appointment.pk)
    context["form"] = form
    return render(request, "standby/walk_in.html", context)


@role_required(Role.CLINIC_STAFF)
@require_http_methods(["GET", "HEAD", "POST"])
def spare_doses(request):
    site, sites = desk_site(request)
    context = {"site": site, "sites": sites}
    if site is None:
        return render(request, "standby/spare_doses.html", context)
    form = SpareDosesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        until = datetime.combine(site.today(), data["until"], tzinfo=site.tzinfo)
        try:
            spare = services.declare_spare_doses(
                site=site, vaccine=data["vaccine"], doses=data["doses"], until=until, by=request.user
            )
        except StandbyError as error:
            form.add_error("until" if error.code == "until_passed" else None, message(error))
        else:
            messages.success(
                request,
                _("%(n)s spare doses declared. %(offers)s people on the standby list were sent an offer.")
                % {"n": spare.doses, "offers": spare.offers.count()},
            )
            return redirect("desk:spare-doses")
    today = site.today()
    start, end = site.local_day_bounds(today)
    context["form"] = form
    context["batches"] = (
        SpareDoses.objects.filter(slot__site=site, created_at__gte=start, created_at__lt=end)
        .select_related("slot__vaccine")
        .annotate(
            offered=Count("offers"),
            accepted=Count("offers", filter=Q(offers__status=Offer.Status.ACCEPTED)),
        )
        .order_by("-created_at", "-pk")
    )
    context["waiting"] = StandbyEntry.objects.waiting_for(site, today).count()
    return render(request, "standby/spare_doses.html", context)
