from django import forms
from django.utils.translation import gettext_lazy as _

from fleet.models import Driver, Truck
from readiness.uploads import IMAGE_TYPES, file_type, validate_photo

PASS, FAIL = "pass", "fail"


class InspectionForm(forms.Form):
    """The pre-trip checklist: for each active item, pass or fail, a note
    and an optional photo; and the odometer."""

    odometer_km = forms.IntegerField(
        label=_("Odometer (km)"),
        required=False,
        min_value=0,
        max_value=9_999_999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                label=item.label,
                choices=[(PASS, _("OK")), (FAIL, _("Problem"))],
                widget=forms.RadioSelect,
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )
            self.fields[f"photo_{item.pk}"] = forms.FileField(
                label=_("Photo"),
                required=False,
                validators=[validate_photo],
                widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
            )

    def rows(self):
        """Each item with its three bound fields, for the template."""
        return [
            {
                "item": item,
                "choice": self[f"item_{item.pk}"],
                "note": self[f"note_{item.pk}"],
                "photo": self[f"photo_{item.pk}"],
            }
            for item in self.items
        ]

    def clean(self):
        data = super().clean()
        for item in self.items:
            if data.get(f"item_{item.pk}") == FAIL and not (data.get(f"note_{item.pk}") or "").strip():
                self.add_error(f"note_{item.pk}", _("Say what is wrong."))
            photo = data.get(f"photo_{item.pk}")
            if photo:
                # Our own name, from what the bytes are: never the phone's.
                photo.name = f"photo.{IMAGE_TYPES[file_type(photo)]}"
        return data

    def answers(self):
        return {
            item.pk: {
                "passed": self.cleaned_data[f"item_{item.pk}"] == PASS,
                "note": self.cleaned_data.get(f"note_{item.pk}", ""),
                "photo": self.cleaned_data.get(f"photo_{item.pk}"),
            }
            for item in self.items
        }


class CloseDefectForm(forms.Form):
    note = forms.CharField(label=_("What was repaired"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    return_to_service = forms.BooleanField(
        label=_("Put the truck back into service if nothing else keeps it out"), required=False, initial=True
    )


class ReassignTruckForm(forms.Form):
    truck = forms.ModelChoiceField(label=_("Another truck"), queryset=Truck.objects.none())
    day = forms.DateField(widget=forms.HiddenInput)

    def __init__(self, *args, trucks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["truck"].queryset = trucks if trucks is not None else Truck.objects.all()


class AssignDriverForm(forms.Form):
    driver = forms.ModelChoiceField(label=_("Another driver"), queryset=Driver.objects.none())
    day = forms.DateField(widget=forms.HiddenInput)

    def __init__(self, *args, drivers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["driver"].queryset = drivers if drivers is not None else Driver.objects.all()
