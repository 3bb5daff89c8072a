"""Sessions are kept beside the user they sign in and read with that user in
one query (accounts.sessions, issue 21). What a person and an operator rely
on: signing in and out still work, a signed-in request pays one query for
both, and nothing about who is signed in gets looser — a deactivated
account, a changed password, an expired or deleted session each still sign
the browser out."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session as DjangoSession
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import AuthenticationMiddleware, unwrapped
from accounts.models import Session, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

MINE = "/appointments/"
moving_in = importlib.import_module("accounts.migrations.0013_sessions_with_their_user")


def request_with(session_key):
    """A request carrying a session cookie, through the session and authentication middleware."""
    request = RequestFactory().get("/")
    request.session = Session.get_session_store_class()(session_key)
    AuthenticationMiddleware(lambda r: None).process_request(request)
    return request


def signed_in(client, person):
    client.force_login(person)
    return client.session.session_key


def test_signing_in_keeps_the_user_with_the_session_and_signing_out_removes_it(client):
    person = UserFactory()
    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302
    key = client.session.session_key
    assert Session.objects.get(session_key=key).user_id == person.pk
    assert client.get(MINE).status_code == 200

    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert not Session.objects.filter(user_id=person.pk).exists()


def test_a_session_without_anyone_signed_in_names_no_user():
    store = Session.get_session_store_class()()
    store["django_language"] = "es"
    store.create()
    assert Session.objects.get(session_key=store.session_key).user_id is None
    assert request_with(store.session_key).user.is_authenticated is False


def test_the_session_and_its_user_are_one_query(client, person, django_assert_num_queries):
    key = signed_in(client, person)
    request = request_with(key)
    with django_assert_num_queries(1):
        assert request.user.is_authenticated
    user = unwrapped(request.user)
    orm = User.objects.filter(pk=person.pk).get()
    assert user == person
    assert {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields} == {
        f.attname: getattr(orm, f.attname) for f in User._meta.concrete_fields
    }
    # Outside a request's authentication the user is read as before: the row is not kept.
    with django_assert_num_queries(1):
        assert User.objects.get(pk=person.pk) == person


def test_the_row_read_with_the_session_is_the_row_as_it_is_now(client, person):
    key = signed_in(client, person)
    User.objects.filter(pk=person.pk).update(first_name="Renamed")
    assert request_with(key).user.first_name == "Renamed"

    User.objects.filter(pk=person.pk).update(is_active=False)
    assert request_with(key).user.is_authenticated is False


def test_a_password_changed_elsewhere_still_signs_the_session_out(client, person):
    key = signed_in(client, person)
    person.set_password("another long passphrase 43")
    person.save()
    request = request_with(key)
    assert request.user.is_authenticated is False
    assert not Session.objects.filter(session_key=key).exists()  # flushed, as Django does


def test_an_expired_session_signs_nobody_in(client, person):
    key = signed_in(client, person)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert request_with(key).user.is_authenticated is False
    Session.get_session_store_class().clear_expired()
    assert not Session.objects.filter(session_key=key).exists()


def test_the_column_is_only_a_hint_the_session_data_decides_who_is_signed_in(client, person):
    # A row whose column names someone else (written by hand, say) never signs that person in.
    key = signed_in(client, person)
    other = UserFactory()
    Session.objects.filter(session_key=key).update(user_id=other.pk)
    assert request_with(key).user == person
    Session.objects.filter(session_key=key).update(user_id=None)
    assert request_with(key).user == person


def test_deleting_an_account_deletes_its_sessions(client):
    person = UserFactory()
    key = signed_in(client, person)
    person.delete()
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(MINE).status_code == 302  # to sign in


def test_the_deploy_moves_live_sessions_and_their_users_and_empties_the_old_table(person):
    def old_session(data, expires_in):
        store = DjangoSessionStore()
        store.update(data)
        store.create()
        DjangoSession.objects.filter(session_key=store.session_key).update(
            expire_date=timezone.now() + timedelta(seconds=expires_in)
        )
        return store.session_key

    signed = {
        SESSION_KEY: str(person.pk),
        BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
        HASH_SESSION_KEY: person.get_session_auth_hash(),
    }
    live = old_session(signed, 3600)
    anonymous = old_session({"django_language": "es"}, 3600)
    expired = old_session(signed, -1)
    DjangoSession.objects.create(
        session_key="forged-or-old-secret", session_data="garbage", expire_date=timezone.now() + timedelta(hours=1)
    )

    moving_in.forwards(apps, None)

    moved = {session.session_key: session.user_id for session in Session.objects.all()}
    assert moved == {live: person.pk, anonymous: None, "forged-or-old-secret": None}
    assert expired not in moved
    assert not DjangoSession.objects.exists()
    assert request_with(live).user == person

    moving_in.backwards(apps, None)
    assert set(DjangoSession.objects.values_list("session_key", flat=True)) == set(moved)
    assert not Session.objects.exists()


def test_the_daily_job_clears_expired_sessions_and_keeps_live_ones(client, person, settings):
    from accounts.tasks import clear_expired_sessions

    live = signed_in(client, person)
    expired = Session.get_session_store_class()()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(days=1))
    assert settings.CELERY_BEAT_SCHEDULE["clear-expired-sessions"]["task"] == clear_expired_sessions.name

    clear_expired_sessions.delay()

    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
