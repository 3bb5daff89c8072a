"""The forms of the clinic set-up pages (campaign.views_clinics). They check
the input's shape; vaccination.timetable decides what is allowed."""

import zoneinfo

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from fleet.models import Truck, TruckStatus
from vaccination.models import Site, Vaccine, Weekday, default_time_zone


def _time_zones():
    # Region/City names (and UTC): the old aliases (EST5EDT, Cuba...) only confuse the list.
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name or name == "UTC"]


class ClinicForm(forms.ModelForm):
    """A clinic's details. Site.clean refuses a truck for a fixed clinic."""

    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zones, initial=default_time_zone)

    class Meta:
        model = Site
        fields = ["name", "address", "time_zone", "is_mobile", "truck", "is_active"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        trucks = Truck.objects.exclude(status=TruckStatus.RETIRED)
        if self.instance.truck_id:
            trucks = trucks | Truck.objects.filter(pk=self.instance.truck_id)
        self.fields["truck"].queryset = trucks.order_by("code")
        self.fields["truck"].empty_label = _("No truck yet")


def _time_widget():
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class PeriodForm(forms.Form):
    """One row of the week: a day and when the clinic opens and closes.
    A row left empty is ignored; one half filled is an error."""

    weekday = forms.TypedChoiceField(
        label=_("Day"), choices=[("", "—"), *Weekday.choices], coerce=int, required=False, empty_value=None
    )
    opens = forms.TimeField(label=_("Opens at"), required=False, widget=_time_widget())
    closes = forms.TimeField(label=_("Closes at"), required=False, widget=_time_widget())

    def clean(self):
        cleaned = super().clean()
        filled = [cleaned.get(name) is not None for name in ("weekday", "opens", "closes")]
        if any(filled) and not all(filled) and not self.errors:
            raise forms.ValidationError(_("Give the day, the opening time and the closing time."), code="incomplete")
        return cleaned

    @property
    def period(self):
        """(weekday, opens, closes), or None for an empty row."""
        data = self.cleaned_data
        if data.get("weekday") is None:
            return None
        return data["weekday"], data["opens"], data["closes"]


# Empty rows under the clinic's periods: a week with a morning and an
# afternoon on each weekday is ten rows; saving gives three more.
EXTRA_PERIODS = 3
PeriodFormSet = forms.formset_factory(PeriodForm, extra=EXTRA_PERIODS, max_num=50, validate_max=True)


def week_from(forms_) -> dict:
    """{weekday: [(opens, closes)]} from the filled rows of a PeriodFormSet."""
    week = {}
    for form in forms_:
        if form.period is not None:
            weekday, opens, closes = form.period
            week.setdefault(weekday, []).append((opens, closes))
    return week


class StaffForm(forms.Form):
    """Who works the clinic's desk: users with the Clinic staff role (and
    anyone linked before who has lost it, so they can be unlinked)."""

    staff = forms.ModelMultipleChoiceField(
        label=_("Clinic staff"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(
            Q(groups__name=Role.CLINIC_STAFF, is_active=True) | Q(clinic_sites=site)
        )
        field = self.fields["staff"]
        field.queryset = users.distinct().order_by("last_name", "first_name", "email")
        field.label_from_instance = lambda user: f"{user.get_full_name() or user.email} ({user.email})"
        self.initial.setdefault("staff", list(site.staff.all()))


def _date_widget():
    # type=date sends ISO dates whatever the page's language; render them ISO too.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SlotsForm(forms.Form):
    """What to generate from the opening hours. The limits (days, length,
    places) are vaccination.timetable's: the same as the generate_slots command."""

    vaccine = forms.ModelChoiceField(label=_("Vaccine"), queryset=Vaccine.objects.order_by("name"))
    first_day = forms.DateField(label=_("First day"), widget=_date_widget())
    last_day = forms.DateField(label=_("Last day"), widget=_date_widget())
    minutes = forms.IntegerField(label=_("Slot length (minutes)"), initial=15)
    capacity = forms.IntegerField(label=_("Places per slot"), initial=4)

    # Which field a refusal of vaccination.timetable belongs to.
    FIELDS = {
        "range_reversed": "last_day",
        "range_too_long": "last_day",
        "minutes_out_of_range": "minutes",
        "capacity_out_of_range": "capacity",
    }
