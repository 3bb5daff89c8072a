from django import forms
from django.utils.translation import gettext_lazy as _

LIFETIMES = [(30, _("30 days")), (90, _("90 days")), (365, _("1 year"))]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What will use it, e.g. “dispatch system” or “nightly report”.")
    )
    days = forms.TypedChoiceField(label=_("Expires after"), choices=LIFETIMES, coerce=int, initial=90)
