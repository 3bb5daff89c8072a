"""Phone numbers, one way for every model that keeps one (people, drivers,
client contacts): django-phonenumber-field's PhoneNumberField, stored in
E.164 (+34600123456). A number typed without its +country code is read as a
number of settings.PHONENUMBER_DEFAULT_REGION; with no region set, it must
carry its code.

Numbers stored before the field existed were free text. The migrations that
brought the field in converted each to E.164 with `convert_rows`; a value that
is not a phone number was moved, unchanged, to the row's `phone_unparsed`
column (nothing is lost, and the phone column only ever holds valid numbers),
printed by the migration and listed by `manage.py report_bad_phones`, which
can also retry them once the region is set. A CHECK on each phone column
(E164Only) holds that for writers that skip the field, too.
"""

import copy
import functools
import re

import phonenumbers
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field import modelfields
from phonenumber_field.formfields import PhoneNumberField as PhoneNumberFormField
from phonenumber_field.phonenumber import PhoneNumber, to_python

INVALID = _("Enter a valid phone number, with its country code (for example +34 600 123 456).")
INPUT_ATTRS = {"autocomplete": "tel", "inputmode": "tel"}
# The shape of a number in E.164: a plus and up to 15 digits, the first not 0.
E164_SHAPE = r"^\+[1-9][0-9]{1,14}$"


class E164Only(models.CheckConstraint):
    """A phone column holds a number in E.164 or nothing: the forms, the API
    and the migrations store nothing else, and this CHECK holds it for rows
    written around them (raw SQL, a bulk update, a COPY). The model's own
    validation checks the same shape in Python, without the query Django
    runs for a CheckConstraint. Migrations see a plain CheckConstraint."""

    def __init__(self, field: str, *, name: str):
        self.field = field
        super().__init__(condition=Q(**{field: ""}) | Q(**{f"{field}__regex": E164_SHAPE}), name=name)

    def validate(self, model, instance, exclude=None, using=None):
        if exclude and self.field in exclude:
            return
        value = model._meta.get_field(self.field).get_prep_value(getattr(instance, self.field))
        if value and not re.fullmatch(E164_SHAPE, str(value)):
            raise ValidationError({self.field: INVALID}, code="invalid")

    def deconstruct(self):
        _path, _args, kwargs = super().deconstruct()
        return "django.db.models.CheckConstraint", (), kwargs

    def clone(self):
        return type(self)(self.field, name=self.name)


class PhoneNumberField(modelfields.PhoneNumberField):
    """The library's model field, reading a stored number through a memo.

    Every signed-in request loads its user, and parsing the user's number
    again each time was a twelve-microsecond share of the signed-in home page
    (issue 21). A number stored in E.164 reads the same whatever the region,
    so its reading is kept per process (a copy is handed out: a PhoneNumber
    can be changed). Migrations see the library's field: nothing is stored
    differently."""

    def from_db_value(self, value, expression, connection):
        if not value or not value.startswith("+"):
            return super().from_db_value(value, expression, connection)
        return copy.copy(_read_e164(value))

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "phonenumber_field.modelfields.PhoneNumberField", args, kwargs


@functools.lru_cache(maxsize=4096)
def _read_e164(value: str):
    return to_python(value)


def e164(number) -> str:
    """`number` (a PhoneNumber or text) in E.164, or "" when it is not a valid
    phone number. Text is read with PHONENUMBER_DEFAULT_REGION."""
    if not number:
        return ""
    if not isinstance(number, PhoneNumber):
        number = to_python(str(number).strip(), region=settings.PHONENUMBER_DEFAULT_REGION)
    if not number or not number.is_valid():
        return ""
    return number.as_e164


def searchable(number) -> str:
    """The words a search for this number should find: E.164 and the national digits."""
    if not number or not isinstance(number, PhoneNumber) or not number.is_valid():
        return str(number or "")
    return f"{number.as_e164} {phonenumbers.national_significant_number(number)}"


def digits_of(text: str) -> str:
    """A search that looks like (part of) a phone number, without its spaces,
    dashes and brackets, as numbers are stored ("600 123" -> "600123"); else ""."""
    if not text or not re.fullmatch(r"\+?[\d\s().\-]+", text.strip()):
        return ""
    return re.sub(r"[\s().\-]", "", text)


def form_field(**kwargs) -> forms.Field:
    """The form field for a phone number, with our wording for a bad one."""
    field = PhoneNumberFormField(
        region=settings.PHONENUMBER_DEFAULT_REGION, error_messages={"invalid": INVALID}, **kwargs
    )
    field.widget.attrs.update(INPUT_ATTRS)
    return field


def use_our_wording(field: forms.Field) -> None:
    """A ModelForm's generated phone field: our error wording and phone keyboard."""
    field.error_messages["invalid"] = INVALID
    field.widget.attrs.update(INPUT_ATTRS)


def convert_rows(queryset, *, field: str = "phone", note: str = "phone_unparsed", region=None):
    """Rewrite `field` of every row in E.164; move a value that is not a valid
    number to `note` (unchanged, after any note already there) and empty `field`.
    Works on text columns (the migrations, before the field type changed) and on
    PhoneNumberField columns. Returns (converted count, ids of bad values)."""
    region = region if region is not None else settings.PHONENUMBER_DEFAULT_REGION
    converted, bad = 0, []
    for pk, raw, kept in queryset.exclude(**{field: ""}).values_list("pk", field, note).iterator():
        text = str(raw).strip() if raw is not None else ""
        if not text:
            continue
        number = e164_in(text, region)
        if number:
            if number != text:
                queryset.filter(pk=pk).update(**{field: number})
            converted += 1
        else:
            queryset.filter(pk=pk).update(**{field: "", note: f"{kept} {text}".strip() if kept else text})
            bad.append(pk)
    return converted, bad


def retry_notes(queryset, *, field: str = "phone", note: str = "phone_unparsed", region=None):
    """Rows whose kept value now reads as a number (the region was set since):
    the number goes back to `field` and the note is emptied. Returns their ids."""
    region = region if region is not None else settings.PHONENUMBER_DEFAULT_REGION
    fixed = []
    for pk, current, kept in queryset.exclude(**{note: ""}).values_list("pk", field, note).iterator():
        number = e164_in(kept, region)
        if number and not current:
            queryset.filter(pk=pk).update(**{field: number, note: ""})
            fixed.append(pk)
    return fixed


def e164_in(text: str, region) -> str:
    try:
        parsed = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def keep_e164_only(label: str, queryset, *, field: str = "phone", note: str = "phone_unparsed") -> None:
    """Before a migration adds E164Only: a value not in E.164 (written around
    the model since the field came in) is converted, or moved to `note` as
    convert_rows does, and reported. Reads only the rows out of shape."""
    out_of_shape = queryset.exclude(**{field: ""}).exclude(**{f"{field}__regex": E164_SHAPE})
    report(label, *convert_rows(out_of_shape, field=field, note=note))


def report(label: str, converted: int, bad: list) -> None:
    """What a migration did, for the operator running it (nothing when there was nothing)."""
    if bad:
        ids = ", ".join(str(pk) for pk in bad[:50]) + (" ..." if len(bad) > 50 else "")
        print(
            f"\n  {label}: {converted} phone number(s) in E.164; {len(bad)} not a valid number, "
            f"kept in phone_unparsed (ids {ids}). List them: manage.py report_bad_phones"
        )
    elif converted:
        print(f"\n  {label}: {converted} phone number(s) in E.164")
