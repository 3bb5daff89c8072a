import pytest
from django.conf import settings
from django.core.cache import cache
from django.test.utils import override_settings
from django.utils import translation

from accounts.roles import Role
from pagecache import fragments
from tests.factories import UserFactory


@pytest.fixture(scope="session", autouse=True)
def _fast_and_collect_free_settings():
    """Test-only settings: a fast password hasher (Argon2 is slow on purpose;
    test_settings checks the real list), and plain static storage, since the
    hashed-name manifest exists only after collectstatic."""
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache; no test inherits another's
    (nor the page parts a process keeps in its memory)."""
    cache.clear()
    fragments.forget_kept_here()
    yield
    cache.clear()
    fragments.forget_kept_here()


@pytest.fixture(autouse=True)
def _default_language():
    """Django keeps the language of the last request active in the thread; a
    test that asked for Spanish pages must not leave the next one in Spanish."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def person(db):
    return UserFactory(email="pat@example.org", first_name="Pat", last_name="Person")


@pytest.fixture
def other_person(db):
    return UserFactory(email="olive@example.org", first_name="Olive", last_name="Other")


@pytest.fixture
def clinic_staff(db):
    return UserFactory(email="nurse@example.org", first_name="Nora", last_name="Nurse", roles=[Role.CLINIC_STAFF])


@pytest.fixture
def fleet_manager(db):
    return UserFactory(email="fleet@example.org", first_name="Fred", last_name="Fleet", roles=[Role.FLEET_MANAGER])


@pytest.fixture
def driver(db):
    return UserFactory(email="driver@example.org", first_name="Dora", last_name="Driver", roles=[Role.DRIVER])


@pytest.fixture
def client_user(db):
    return UserFactory(email="client@example.org", first_name="Cleo", last_name="Client", roles=[Role.CLIENT_USER])


@pytest.fixture
def campaign_lead(db):
    return UserFactory(email="lead@example.org", first_name="Lena", last_name="Lead", roles=[Role.CAMPAIGN_LEAD])


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.org", first_name="Ada", last_name="Admin", is_staff=True, is_superuser=True)


def pytest_collection_modifyitems(config, items):
    """A transactional test must restore the migrated data (role groups,
    content types) after its flush: without serialized_rollback the next
    restoring test fails on duplicate content types, or finds no roles."""
    careless = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            careless.append(item.nodeid)
    if careless:
        raise pytest.UsageError(
            "Transactional tests need pytest.mark.django_db(transaction=True, serialized_rollback=True): "
            + ", ".join(careless)
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush, put the migrated data back at once.
    Django restores it only when the next transactional test starts, and
    pytest-django runs those last; but pytest-xdist's work stealing can hand
    a worker plain tests after a transactional one, which then found no role
    groups. (The rows come back with their own keys, so the next restoring
    test updates them rather than adding duplicates.)"""
    yield
    marker = item.get_closest_marker("django_db")
    if nextitem is None or not (marker and marker.kwargs.get("transaction")):
        return  # (the last test: the session's teardown has just dropped the test database)
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all(initialized_only=True):
            if serialized := getattr(connection, "_test_serialized_contents", None):
                connection.creation.deserialize_db_from_string(serialized)
