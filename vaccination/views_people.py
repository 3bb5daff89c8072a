"""People a person cares for: add them, book and see records for them, and
give one their own login later (accounts.dependents holds the rules)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts import dependents
from accounts.date_fields import MemorableDateField
from vaccination.models import Appointment


class DependentForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    date_of_birth = MemorableDateField(label=gettext_lazy("Date of birth"))
    relationship = forms.CharField(
        label=gettext_lazy("Relationship"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("What they are to you, e.g. son, mother."),
    )


class OwnLoginForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Their own email address"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def people(request):
    form = DependentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dependent = dependents.add_dependent(carer=request.user, **form.cleaned_data)
        except dependents.DependentError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(name)s is added. You can book for them now.") % {"name": dependent})
            return redirect("vaccination:people")
    upcoming = Appointment.objects.booked().filter(slot__end__gt=timezone.now()).with_details()
    cared_for = dependents.dependents_of(request.user).prefetch_related(
        Prefetch("appointments", queryset=upcoming, to_attr="upcoming")
    )
    return render(request, "vaccination/people.html", {"form": form, "people": cared_for, "login_form": OwnLoginForm()})


@login_required
@require_POST
def person_login(request, pk):
    dependent = dependents.dependent_of(request.user, pk)
    form = OwnLoginForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Type a valid email address."))
        return redirect("vaccination:people")
    try:
        dependents.give_own_login(dependent=dependent, email=form.cleaned_data["email"])
    except dependents.DependentError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "%(name)s now has their own login, with their history. They set a password with "
                "“Forgot your password?” on %(email)s."
            )
            % {"name": dependent, "email": dependent.email},
        )
    return redirect("vaccination:people")
