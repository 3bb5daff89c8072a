from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vaccination.models import SLOT_AND_BOOKINGS, SLOT_WITH_DETAILS, Slot


class SlotChoiceField(forms.ModelChoiceField):
    """A slot with its clinic and vaccine, chosen by primary key. A plain
    number (every booking POST) is looked up with the query compiled once
    (SLOT_WITH_DETAILS) while the field offers every slot, together with the
    bookings and doses of `person_id` when it is set (SLOT_AND_BOOKINGS:
    one round trip for both, kept in `bookings`); anything else (another
    value, a queryset narrowed since) goes the ModelChoiceField way, with
    the same answers."""

    person_id = None
    bookings = None

    def to_python(self, value):
        plain = isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19  # fits a bigint
        if plain and not self.queryset.query.where:
            if self.person_id is not None:
                found, self.bookings = SLOT_AND_BOOKINGS.all((int(value),), (self.person_id,))
            else:
                found = SLOT_WITH_DETAILS.all(int(value))
            if not found:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
                )
            return found[0]
        return super().to_python(value)


class SlotForm(forms.Form):
    """Book or move to one slot (POST field `slot`). Whether it is still free
    is for the service to decide, under the database's rules. With a
    `person` (signed in) the slot is read together with their bookings and
    doses, which `bookings` then holds (None if they were not read) for
    vaccination.services.book."""

    slot = SlotChoiceField(
        queryset=Slot.objects.select_related("site", "vaccine"),
        error_messages={"invalid_choice": _("That time is no longer offered. Pick another.")},
    )

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        if person is not None and person.is_authenticated:
            self.fields["slot"].person_id = person.pk

    @property
    def bookings(self):
        return self.fields["slot"].bookings


class PickerForm(forms.Form):
    """What a person is looking at on the booking page (GET parameters): the
    vaccine, where they search from (a town or postcode, or the browser's
    location), the clinic and the day. A bad value is dropped on its own."""

    vaccine = forms.IntegerField(required=False, min_value=1)
    q = forms.CharField(label=_("Town or postcode"), required=False, max_length=100)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180)
    site = forms.IntegerField(required=False, min_value=1)
    day = forms.DateField(required=False)

    def valid_params(self) -> dict:
        """The values that are valid, whatever is wrong with the others."""
        self.is_valid()
        return dict(self.cleaned_data)


class GenerateSlotsForm(forms.Form):
    """Parameters of generate_slots, for the admin action."""

    vaccine = forms.ModelChoiceField(queryset=None, label=_("Vaccine"))
    start_date = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    opens = forms.TimeField(label=_("Opens at"), initial="09:00", widget=forms.TimeInput(attrs={"type": "time"}))
    closes = forms.TimeField(label=_("Closes at"), initial="17:00", widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(label=_("Slot length (minutes)"), min_value=5, max_value=240, initial=15)
    capacity = forms.IntegerField(label=_("Seats per slot"), min_value=1, max_value=500, initial=4)
    weekdays_only = forms.BooleanField(label=_("Weekdays only"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        from vaccination.models import Vaccine

        super().__init__(*args, **kwargs)
        self.fields["vaccine"].queryset = Vaccine.objects.all()

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The last day must not be before the first."))
        if data.get("opens") and data.get("closes") and data["closes"] <= data["opens"]:
            self.add_error("closes", _("Closing time must be after opening time."))
        return data


class FindPersonForm(forms.Form):
    """The desk's look-up of a person without their code: a name and the
    whole date of birth (GET), so a search names few people at most."""

    name = forms.CharField(
        label=_("Name"),
        min_length=2,
        max_length=100,
        help_text=_("First name, last name, or both."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "enterkeyhint": "next"}),
    )
    day = forms.IntegerField(
        label=_("Day"),
        min_value=1,
        max_value=31,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 2}),
    )
    month = forms.IntegerField(
        label=_("Month"),
        min_value=1,
        max_value=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 2}),
    )
    year = forms.IntegerField(
        label=_("Year"),
        min_value=1900,
        max_value=2100,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 4}),
    )

    def clean(self):
        cleaned = super().clean()
        if {"day", "month", "year"} <= cleaned.keys():
            try:
                cleaned["date_of_birth"] = date(cleaned["year"], cleaned["month"], cleaned["day"])
            except ValueError:
                raise forms.ValidationError(_("That date of birth does not exist. Check the day and month.")) from None
        return cleaned


class CheckInForm(forms.Form):
    """The desk: one code, typed, scanned by a USB scanner (which types and
    presses Enter) or read by the camera. `attempt` identifies this rendered
    form, so sending it twice gets the first answer (see checkin.check_in)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=64,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
                "enterkeyhint": "go",
                "class": "form-control-lg desk-code-input",
            }
        ),
        error_messages={"required": _("Type or scan the code first.")},
    )
    attempt = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def clean(self):
        # The attempt is only a key against answering one form twice; a
        # garbled one (too long, a NUL) is dropped, and the scan still gets
        # its answer instead of an error on a field nobody can see.
        if self.has_error("attempt"):
            del self._errors["attempt"]
            self.cleaned_data["attempt"] = ""
        return super().clean()


class DoseForm(forms.Form):
    vaccine_lot = forms.CharField(
        label=_("Vaccine lot / batch number"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        help_text=_("As printed on the vial or box."),
    )

    def __init__(self, *args, lots=None, **kwargs):
        """`lots`: (number, label) of the lots on hand (vaccination.lots), offered
        as one radio button each, so a whole label (number, doses left, expiry)
        reads on a phone and a lot is one tap; None where no stock is kept (the
        lot is typed). The field stays text, so a lot that became unusable since
        the page was shown is refused with its reason."""
        super().__init__(*args, **kwargs)
        if lots is not None:
            field = self.fields["vaccine_lot"]
            field.label = _("Vaccine lot")
            field.help_text = _("Lots on hand here, soonest expiry first.") if lots else _("No usable lot on hand here")
            field.widget = forms.RadioSelect(choices=lots)


class UndoCheckInForm(forms.Form):
    note = forms.CharField(
        label=_("Why undo this check-in?"),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("For example: scanned the wrong person's phone."),
    )


class BoardSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False, max_length=100)
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", _("All")),
            ("booked", _("Still expected")),
            ("checked_in", _("Checked in")),
            ("no_show", _("No-shows")),
        ],
    )


class ScreeningForm(forms.Form):
    """One yes/no field per screening question (named q<id>)."""

    def __init__(self, *args, questions, answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        answers = answers or {}
        self.questions = questions
        for question in questions:
            given = answers.get(question.pk)
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=question.localized_text,
                choices=[("yes", _("Yes")), ("no", _("No"))],
                coerce=lambda value: value == "yes",
                widget=forms.RadioSelect,
                initial=None if given is None else ("yes" if given.answer else "no"),
                error_messages={"required": _("Answer yes or no.")},
            )

    def answers(self) -> dict[int, bool]:
        return {question.pk: self.cleaned_data[f"q{question.pk}"] for question in self.questions}
