"""A person's standby list and the offers they receive."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from standby import services
from standby.errors import StandbyError, message
from standby.forms import StandbyJoinForm
from standby.models import StandbyEntry


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def standby_list(request):
    if request.method == "POST":
        form = StandbyJoinForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.join(
                    person=request.user,
                    site=data["site"],
                    day=data.get("day"),
                    any_day=data["any_day"],
                    arrive_within=data["arrive_within"],
                )
            except StandbyError as error:
                form.add_error(None, message(error))
            else:
                messages.success(request, _("You are on the standby list. We will email you if a dose is free."))
                return redirect("standby:list")
    else:
        form = StandbyJoinForm()
    entries = (
        StandbyEntry.objects.active().filter(person=request.user).select_related("site").order_by("first_day", "pk")
    )
    return render(request, "standby/standby_list.html", {"form": form, "entries": entries})


@login_required
@require_POST
def standby_leave(request, pk):
    entry = get_object_or_404(StandbyEntry.objects.filter(person=request.user), pk=pk)
    try:
        services.leave(entry=entry)
    except StandbyError as error:
        messages.error(request, message(error))
    else:
        messages.success(request, _("You have left the standby list of %(site)s.") % {"site": entry.site.name})
    return redirect("standby:list")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def offer(request, token):
    """An offer's link: the offer and an Accept button, or why it cannot be taken."""
    error = offer = None
    try:
        offer = services.offer_from_token(token)
        if request.method == "POST":
            offer = services.accept_offer(token=token, person=request.user)
            messages.success(request, _("The dose is yours. Show this code at the clinic."))
            return redirect("vaccination:appointment-detail", pk=offer.appointment_id)
        services.check_offer(offer, person=request.user)
    except StandbyError as error_:
        error = error_
    if error is not None and error.code == "used" and offer.entry.person_id == request.user.pk:
        return redirect("vaccination:appointment-detail", pk=offer.appointment_id)
    status = 404 if error is not None and error.code in ("forged", "not_yours") else 200
    context = {
        "offer": offer if error is None or error.code not in ("forged", "not_yours") else None,
        "error": message(error) if error is not None else None,
        "error_code": error.code if error is not None else "",
    }
    return render(request, "standby/offer.html", context, status=status)
