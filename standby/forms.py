from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import phones
from standby.models import StandbyEntry
from vaccination.models import Site, Vaccine


class WalkInForm(forms.Form):
    """The desk registers someone without an appointment. Whether a seat is
    free, and whether the person exists already, is for the service to say."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}))
    phone = phones.form_field(label=_("Phone (optional)"), required=False)
    email = forms.EmailField(label=_("Email (optional)"), required=False)
    vaccine = forms.ModelChoiceField(label=_("Vaccine"), queryset=Vaccine.objects.all())
    # Set when staff pick an existing person among the possible duplicates.
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)


class StandbyJoinForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Clinic"), queryset=Site.objects.filter(is_active=True))
    any_day = forms.TypedChoiceField(
        label=_("When"),
        choices=[("0", _("On one day")), ("1", _("Any day this week"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="0",
    )
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    arrive_within = forms.TypedChoiceField(
        label=_("How soon can you get there?"), choices=StandbyEntry.ArriveWithin.choices, coerce=int, initial=30
    )

    def clean(self):
        data = super().clean()
        if not data.get("any_day") and not data.get("day"):
            self.add_error("day", _("Pick the day, or choose any day this week."))
        return data


class SpareDosesForm(forms.Form):
    vaccine = forms.ModelChoiceField(label=_("Vaccine"), queryset=Vaccine.objects.all())
    doses = forms.IntegerField(label=_("Spare doses"), min_value=1, max_value=50, initial=1)
    until = forms.TimeField(
        label=_("To give by (today)"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
