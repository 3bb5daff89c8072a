"""The demo data passes the application's own validation: every object
`seed_demo` makes is saved again, unchanged, through the form a person
would edit it with (the page's form where there is one, else the admin's),
and the form accepts it. Demo drivers' emails with non-ASCII local parts
(josé.núñez@…) once failed this. Models with many generated rows (slots)
are sampled evenly."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db.models import Model
from django.forms import MultiWidget
from django.forms.models import ModelForm
from django.test import RequestFactory, override_settings

from accounts.forms import ProfileForm
from accounts.models import User
from fleet.forms import DriverForm, TruckForm
from fleet.models import Driver, Truck

# Read-only in the admin (logs): nobody edits them through a form.
NOT_EDITED = {"AuditEvent", "CheckInLog", "ApiToken", "TruckCondition"}
PAGE_FORMS = {Driver: DriverForm, Truck: TruckForm, User: ProfileForm}


def as_submitted(form: ModelForm) -> dict:
    """What a browser sends back for the unchanged form."""
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(value, Model):
            value = value.pk
        elif isinstance(value, list | tuple) and value and isinstance(value[0], Model):
            value = [item.pk for item in value]
        if isinstance(field.widget, MultiWidget):
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{index}"] = "" if part is None else part
        elif value is not None:
            data[name] = value
    return data


def spread(model, most=100):
    """Every object, or `most` spread evenly over them (the demo's 1,400
    slots come from one generator: a hundred of them stand for all)."""
    objects = list(model.objects.order_by("pk"))
    step = max(1, len(objects) // most)
    return objects[::step]


def refused(form_class, instance) -> dict:
    form = form_class(data=as_submitted(form_class(instance=instance)), instance=instance)
    return {} if form.is_valid() else {str(instance): form.errors.as_data()}


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_every_demo_object_is_accepted_unchanged_by_its_form(superuser):
    call_command("seed_demo")
    request = RequestFactory().get("/admin/")
    request.user = superuser

    problems = {}
    for model, model_admin in admin.site._registry.items():
        if model.__name__ in NOT_EDITED or model._meta.app_label in {"auth", "sites", "mfa", "account"}:
            continue
        for instance in spread(model):
            if model is User and instance == superuser:
                continue
            problems |= refused(model_admin.get_form(request, instance), instance)
            if model in PAGE_FORMS:
                problems |= refused(PAGE_FORMS[model], instance)

    assert problems == {}, "\n".join(f"{obj}: {errors}" for obj, errors in problems.items())
