"""Settings are read once at start, so each case starts a fresh interpreter
with its own environment and reads the result back as JSON."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
READ = (
    "import json, django; from django.conf import settings; django.setup(); "
    "db = settings.DATABASES['default']; "
    "print(json.dumps({'engine': db['ENGINE'], 'options': db.get('OPTIONS', {}), "
    "'conn_max_age': db['CONN_MAX_AGE'], 'health': db['CONN_HEALTH_CHECKS'], "
    "'cache': settings.CACHES['default']['BACKEND'], 'email': settings.EMAIL_BACKEND, "
    "'tz': settings.TIME_ZONE, 'use_tz': settings.USE_TZ, 'ssl_redirect': settings.SECURE_SSL_REDIRECT, "
    "'hosts': settings.ALLOWED_HOSTS, 'verification': settings.ACCOUNT_EMAIL_VERIFICATION, "
    "'hashers': settings.PASSWORD_HASHERS}))"
)


def start(**env):
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "EMAIL_"))
    }
    clean.pop("ACCOUNT_EMAIL_VERIFICATION", None)
    clean["DJANGO_SETTINGS_MODULE"] = "project.settings"
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", READ], cwd=ROOT, env=clean, capture_output=True, text=True, check=False
    )


def settings_with(**env):
    result = start(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_start_fails_with_a_clear_message_when_debug_is_off_and_no_secret_key_is_set():
    result = start()

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_mode_starts_without_a_secret_key():
    assert start(DJANGO_DEBUG="1").returncode == 0


def test_a_misspelt_boolean_fails_at_start_instead_of_being_guessed():
    result = start(DJANGO_DEBUG="maybe")

    assert result.returncode != 0
    assert "DJANGO_DEBUG must be one of" in result.stderr


def test_defaults_are_sqlite_local_memory_cache_https_and_mandatory_verification():
    configured = settings_with(DJANGO_SECRET_KEY="x" * 50)

    assert configured["engine"] == "django.db.backends.sqlite3"
    assert configured["options"]["transaction_mode"] == "IMMEDIATE"
    assert configured["options"]["timeout"] >= 5
    assert configured["cache"].endswith("LocMemCache")
    assert configured["email"].endswith("smtp.EmailBackend")
    assert configured["ssl_redirect"] is True
    assert configured["use_tz"] is True
    assert configured["hosts"] == []
    assert configured["verification"] == "mandatory"
    assert configured["hashers"][0] == "accounts.hashers.BoundedArgon2PasswordHasher"


def test_database_url_selects_postgresql_with_persistent_checked_connections():
    configured = settings_with(DJANGO_SECRET_KEY="x" * 50, DATABASE_URL="postgres://user:pw@db.internal:5432/vax")

    assert configured["engine"] == "django.db.backends.postgresql"
    assert configured["conn_max_age"] > 0
    assert configured["health"] is True


def test_redis_url_switches_to_a_shared_redis_cache():
    configured = settings_with(DJANGO_SECRET_KEY="x" * 50, REDIS_URL="redis://127.0.0.1:6379/1")

    assert configured["cache"] == "pagecache.backends.ResilientRedisCache"


def test_a_malformed_redis_url_fails_at_start_with_a_clear_message():
    result = start(DJANGO_SECRET_KEY="x" * 50, REDIS_URL="127.0.0.1:6379")

    assert result.returncode != 0
    assert "REDIS_URL must start with redis://" in result.stderr


def test_without_redis_background_tasks_run_in_process_and_with_it_go_to_its_broker():
    read = "from django.conf import settings as s; print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)"
    local = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {read}"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if "REDIS" not in k and "CELERY" not in k},
            "DJANGO_DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "project.settings",
        },
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    shared = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {read}"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "project.settings",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
        },
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()

    assert local == ["True", "memory://"]
    assert shared == ["False", "redis://127.0.0.1:6379/3"]


def test_debug_prints_mail_to_the_console_and_the_environment_can_choose_another_backend():
    assert settings_with(DJANGO_DEBUG="1")["email"].endswith("console.EmailBackend")
    chosen = settings_with(DJANGO_DEBUG="1", EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend")
    assert chosen["email"].endswith("filebased.EmailBackend")


def test_time_zone_hosts_and_verification_come_from_the_environment():
    configured = settings_with(
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_TIME_ZONE="Europe/Madrid",
        DJANGO_ALLOWED_HOSTS="vaxfleet.example, www.vaxfleet.example",
        ACCOUNT_EMAIL_VERIFICATION="optional",
        DJANGO_SECURE_SSL_REDIRECT="off",
    )

    assert configured["tz"] == "Europe/Madrid"
    assert configured["hosts"] == ["vaxfleet.example", "www.vaxfleet.example"]
    assert configured["verification"] == "optional"
    assert configured["ssl_redirect"] is False


@pytest.mark.parametrize("value", ["sometimes", "MANDATORY!"])
def test_an_unknown_verification_mode_fails_at_start(value):
    result = start(DJANGO_SECRET_KEY="x" * 50, ACCOUNT_EMAIL_VERIFICATION=value)

    assert result.returncode != 0
    assert "ACCOUNT_EMAIL_VERIFICATION must be" in result.stderr


def test_production_does_not_install_the_bench_app(tmp_path):
    """The bench's models, commands and views are not part of a production app."""
    import subprocess
    import sys

    from django.conf import settings as configured

    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    code = "import django; django.setup(); from django.apps import apps; print(apps.is_installed('benchmarks'))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=configured.BASE_DIR, capture_output=True, text=True, check=True
    )

    assert out.stdout.strip() == "False"


def test_a_worker_started_without_a_broker_stops_with_a_clear_message():
    from project.celery import refuse_a_worker_without_a_broker

    with pytest.raises(SystemExit, match="needs a broker: set REDIS_URL"):
        refuse_a_worker_without_a_broker()
