"""`User.objects.get(pk=...)`, which loads the user of every signed-in
request, runs SQL compiled once (accounts.prepared, issue 21): it must give
the very user the ORM gives, field by field, and the ORM's errors."""

from datetime import date

import pytest
from django.contrib.auth import get_user
from django.db.models import Model
from django.test import RequestFactory

from accounts import authz
from accounts.models import User
from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def fields(user: Model) -> dict:
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


def test_a_user_by_primary_key_is_the_one_the_orm_gives(person):
    carer = UserFactory(roles=[Role.CLINIC_STAFF])
    authz.load(User.objects.filter(pk=carer.pk).get())  # the copy of the rights, a JSON column
    User.objects.filter(pk=person.pk).update(
        phone="+34600123456", date_of_birth=date(1980, 2, 29), carer=carer, language="es", relationship="son"
    )

    for user in (person, carer):
        fast = User.objects.get(pk=user.pk)
        orm = User.objects.filter(pk=user.pk).get()
        assert fields(fast) == fields(orm)
        assert type(fast.phone) is type(orm.phone)
        assert fast._state.adding is False
        assert fast._state.db == orm._state.db
    assert User.objects.get(pk=carer.pk).authz["roles"] == [Role.CLINIC_STAFF]
    assert User.objects.get(pk=str(person.pk)).pk == person.pk  # as a session keeps it


def test_a_missing_or_malformed_key_raises_what_the_orm_raises(person):
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=person.pk + 1000)
    with pytest.raises(ValueError, match="expected a number"):
        User.objects.get(pk="not-a-number")


def test_other_lookups_go_the_orm_way(person):
    assert User.objects.get(email=person.email) == person
    assert User.objects.get(pk=person.pk, is_active=True) == person
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=person.pk, is_active=False)


def test_a_session_still_loads_its_user_and_never_a_deactivated_one(client, person):
    client.force_login(person)
    request = RequestFactory().get("/")
    request.session = client.session
    assert get_user(request) == person

    User.objects.filter(pk=person.pk).update(is_active=False)
    assert get_user(request).is_authenticated is False
