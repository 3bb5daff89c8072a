"""A date of birth as three boxes, day, month and year (GOV.UK's "memorable
date" pattern): easier to type on a phone than a calendar picker, and
each missing or impossible part gets its own plain message."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PARTS = ("day", "month", "year")


class MemorableDateWidget(forms.MultiWidget):
    template_name = "forms/memorable_date.html"
    use_fieldset = True  # a legend names the three boxes together

    def __init__(self, attrs=None):
        box = {"inputmode": "numeric", "class": "form-control"}
        widgets = {
            "day": forms.TextInput({**box, "maxlength": 2, "autocomplete": "bday-day"}),
            "month": forms.TextInput({**box, "maxlength": 2, "autocomplete": "bday-month"}),
            "year": forms.TextInput({**box, "maxlength": 4, "autocomplete": "bday-year"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        # One date under the field's own name (an older page, the API's
        # ISO string or date) is read as its three parts.
        whole = data.get(name)
        if whole and not any(f"{name}_{part}" in data for part in PARTS):
            if isinstance(whole, date):
                return self.decompress(whole)
            try:
                return self.decompress(date.fromisoformat(str(whole)))
            except ValueError:
                return [str(whole), "", ""]
        return super().value_from_datadict(data, files, name)

    def id_for_label(self, id_):
        return ""  # the legend labels the group; each box has its own label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, label in zip(context["widget"]["subwidgets"], (_("Day"), _("Month"), _("Year")), strict=True):
            subwidget["label"] = label
        return context

    def _render(self, template_name, context, renderer=None):
        # The project's templates (not the form renderer's): the boxes are
        # written out in the template itself.
        return render_to_string(template_name, context)  # already safe: rendered by a template


class MemorableDateField(forms.MultiValueField):
    """A past date from three boxes; None when all three are empty and the field is optional."""

    widget = MemorableDateWidget
    default_error_messages = {
        "required": _("Enter the date of birth."),
        "missing_day": _("The date of birth must include a day."),
        "missing_month": _("The date of birth must include a month."),
        "missing_year": _("The date of birth must include a year."),
        "numbers": _("Enter the date of birth in numbers, for example 27 3 1980."),
        "year_digits": _("The year must have 4 numbers, for example 1980."),
        "real": _("The date of birth must be a real date."),
        "future": _("The date of birth cannot be in the future."),
        "too_old": _("Enter a date of birth after 1900."),
    }

    def __init__(self, **kwargs):
        parts = tuple(forms.CharField(required=False, strip=True) for _part in PARTS)
        super().__init__(parts, require_all_fields=False, **kwargs)

    def clean(self, value):
        day, month, year = (str(v if v is not None else "").strip() for v in (value or ["", "", ""]))
        if not (day or month or year):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        for part, given in zip(PARTS, (day, month, year), strict=True):
            if not given:
                raise ValidationError(self.error_messages[f"missing_{part}"], code=f"missing_{part}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValidationError(self.error_messages["numbers"], code="numbers")
        if len(year) != 4:
            raise ValidationError(self.error_messages["year_digits"], code="year_digits")
        try:
            born = date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(self.error_messages["real"], code="real") from None
        if born > timezone.localdate():
            raise ValidationError(self.error_messages["future"], code="future")
        if born.year < 1900:
            raise ValidationError(self.error_messages["too_old"], code="too_old")
        return born

    def compress(self, data_list):  # clean() does the whole job
        raise NotImplementedError
