from django import forms
from django.utils.translation import gettext_lazy as _

from stock.models import Lot, StockMovement


class LotForm(forms.ModelForm):
    class Meta:
        model = Lot
        fields = ["vaccine", "number", "expires_on", "doses_per_vial", "open_vial_hours", "min_celsius", "max_celsius"]
        widgets = {
            "expires_on": forms.DateInput(attrs={"type": "date"}),
            "number": forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        }


class ReceiveForm(forms.Form):
    lot = forms.ModelChoiceField(label=_("Lot"), queryset=Lot.objects.exclude(status=Lot.Status.DISCARDED))
    quantity = forms.IntegerField(label=_("Doses received"), min_value=1, max_value=100_000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = self.fields["lot"].queryset.select_related("vaccine")


class CountForm(forms.Form):
    """A count of one lot at this place; `lots` are the lots with a level here."""

    lot = forms.ModelChoiceField(label=_("Lot"), queryset=Lot.objects.none())
    counted = forms.IntegerField(label=_("Doses counted"), min_value=0, max_value=100_000)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, lots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = lots


class MoveForm(forms.Form):
    lot = forms.ModelChoiceField(label=_("Lot"), queryset=Lot.objects.none())
    quantity = forms.IntegerField(label=_("Doses"), min_value=1, max_value=100_000)
    to = forms.ChoiceField(label=_("Move to"))

    def __init__(self, *args, lots, destinations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = lots
        self.fields["to"].choices = destinations


class WasteForm(forms.Form):
    lot = forms.ModelChoiceField(label=_("Lot"), queryset=Lot.objects.none())
    quantity = forms.IntegerField(label=_("Doses"), min_value=1, max_value=100_000)
    reason = forms.ChoiceField(label=_("Reason"), choices=StockMovement.WasteReason.choices[1:])
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, lots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = lots


class MovementFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All")), *StockMovement.Kind.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    lot = forms.CharField(
        label=_("Lot number"), required=False, max_length=64, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("For example: the manufacturer's stability data covers this excursion."),
    )
