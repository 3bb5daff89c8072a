from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.figures import Filters
from vaccination.models import Site, Vaccine

DEFAULT_DAYS = 30
# A longer range is a report for the database, not a page: ask for an export.
MAX_DAYS = 731


def _date_widget():
    # type=date sends ISO dates whatever the page's language; render them ISO too.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FilterForm(forms.Form):
    """The overview's and the exports' filters (GET). Empty dates mean the
    last DEFAULT_DAYS days; an unknown clinic or vaccine is a form error."""

    start = forms.DateField(label=_("From"), required=False, widget=_date_widget())
    end = forms.DateField(label=_("To"), required=False, widget=_date_widget())
    site = forms.ModelChoiceField(
        label=_("Clinic"),
        queryset=Site.objects.order_by("name"),
        required=False,
        empty_label=_("All clinics"),
        error_messages={"invalid_choice": _("There is no such clinic.")},
    )
    vaccine = forms.ModelChoiceField(
        label=_("Vaccine"),
        queryset=Vaccine.objects.order_by("name"),
        required=False,
        empty_label=_("All vaccines"),
        error_messages={"invalid_choice": _("There is no such vaccine.")},
    )

    def __init__(self, data=None, *, today=None, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["end"].initial = self.today
        self.fields["start"].initial = self.today - timedelta(days=DEFAULT_DAYS - 1)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        end = cleaned.get("end") or self.today
        start = cleaned.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise forms.ValidationError(_("The first day must not be after the last day."), code="upside_down")
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(_("Choose at most two years."), code="too_long")
        cleaned["start"], cleaned["end"] = start, end
        # The fields show the days used, also when they were left empty.
        self.data = self.data.copy()
        self.data["start"], self.data["end"] = start.isoformat(), end.isoformat()
        return cleaned

    @property
    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(first_day=data["start"], last_day=data["end"], site=data["site"], vaccine=data["vaccine"])

    def query(self) -> str:
        """The filters as a query string, for the export links."""
        from django.http import QueryDict

        data = self.cleaned_data
        query = QueryDict(mutable=True)
        query["start"], query["end"] = data["start"].isoformat(), data["end"].isoformat()
        if data["site"]:
            query["site"] = data["site"].pk
        if data["vaccine"]:
            query["vaccine"] = data["vaccine"].pk
        return query.urlencode()
