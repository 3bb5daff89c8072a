"""VaxFleet settings: one file, configured from the environment (twelve-factor).

Every variable is listed in README.md. The helpers below reject values they
cannot read, so a typo in production fails at start instead of silently
falling back to a default.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. It is required when DJANGO_DEBUG is off: "
            "set it to a long random value, for example the output of "
            '`python -c "import secrets; print(secrets.token_urlsafe(50))"`.'
        )
    # Local development only: a key that is obviously not for production.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105 -- debug only

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "pagecache",
    "outbox",
    "accounts",
    "fleet",
    "places",
    "vaccination",
    "campaign",
    "stock",
    "readiness",
    "audit",
    "standby",
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "phonenumber_field",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "project.middleware.ContentSecurityPolicyMiddleware",
    "project.middleware.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything but static files: its rule covers every answer,
    # redirects and error pages of the middleware below included.
    "project.middleware.PrivateCacheMiddleware",
    # The home page and the fixed pages, kept whole for visitors who are not
    # signed in: the middleware below it runs once per page and language.
    "pagecache.anonymous.AnonymousPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.AuthenticationMiddleware",
    "audit.context.AuditContextMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFAMiddleware",
]

ROOT_URLCONF = "project.urls"
# The reference endpoints of `make bench` (/bench/f0/, /bench/f1/); off in production.
BENCH_ENDPOINTS = env_bool("VAXFLEET_BENCH_ENDPOINTS", False)
# The bench's app (its seeding models and commands, the endpoints' views) is
# installed only for the bench and the test suite, never in production.
if BENCH_ENDPOINTS or env_bool("VAXFLEET_BENCH_TOOLS", False):
    INSTALLED_APPS.append("benchmarks")

# Cold chain (fleet.coldchain): a truck's fridge may be out of the vaccines'
# range this long before it counts as an excursion that quarantines its lots.
COLD_CHAIN_GRACE_MINUTES = env_int("VAXFLEET_COLD_CHAIN_GRACE_MINUTES", 15)
WSGI_APPLICATION = "project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "project.context_processors.footer",
            ],
        },
    },
]

# Database: SQLite by default so a fresh clone runs with nothing installed;
# PostgreSQL in production and CI through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
# The hot paths' look-ups (sqlprepared) are prepared once per connection on
# PostgreSQL: parsed and planned once, not on every request. Off by itself
# with CONN_MAX_AGE = 0; turn it off behind a pooler that gives each
# transaction another server connection (PgBouncer in transaction mode).
SQLPREPARED_ON_SERVER = env_bool("VAXFLEET_DB_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, and the busy
    # timeout makes a second writer wait for it, so concurrent bookings queue
    # instead of failing with "database is locked" half-way through.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # The free-seat index covers extra columns on PostgreSQL (INCLUDE); SQLite
    # builds it without them, which is fine for a local demo, so `make run`
    # does not print that warning on every start.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: the rate limits and the page parts need a cache every app server
# shares; local memory is only right for a single process.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        f"REDIS_URL must start with redis://, rediss:// or unix://, e.g. redis://host:6379/0; got {REDIS_URL!r}."
    )
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, except that an unreachable Redis degrades
            # the site instead of failing it (pagecache/backends.py says how).
            "BACKEND": "pagecache.backends.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "vaxfleet",
            # Fail fast: a cache that takes seconds to answer is worse than none.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions live in PostgreSQL beside the user they sign in and are read with
# that user in one query (accounts/sessions.py says why): no Redis on the way,
# so a Redis restart or outage signs nobody out.
SESSION_ENGINE = "accounts.sessions"

# Background work: Celery with Redis as the broker (the worker and beat
# process types of the Procfile). Without REDIS_URL (make run, the tests)
# tasks run eagerly in the process that queues them, so nothing else is
# needed locally. What is owed to people is an outbox row first (outbox/),
# so a broker that is down delays messages and loses none.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    # Never Celery's own default (AMQP on localhost): nothing leaves the process.
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_IGNORE_RESULT = True
# A request hands a message to the broker after its commit: with the broker
# down it must give up within a second or two (the outbox sweep sends the
# message later), not retry while the person waits.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    # kombu's connection retries (2 s, 4 s... by default) for a publisher:
    # one quick retry, then the sweep's turn.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_CONCURRENCY = env_int("CELERY_WORKER_CONCURRENCY", 2)
# One task at a time per child: a message is seconds of waiting on a mail
# server, and a prefetched task would wait behind it.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# The beat process sends these; the worker runs them. Other apps add theirs here.
CELERY_BEAT_SCHEDULE = {
    "send-appointment-reminders": {"task": "vaccination.send_appointment_reminders", "schedule": 10 * 60},
    # Every 10 minutes: a booking missed by more than an hour (NO_SHOW_GRACE) stops holding the person's place.
    "mark-no-shows": {"task": "vaccination.mark_no_shows", "schedule": 10 * 60},
    # Expired offers pass to the next people on the standby list within a minute.
    "send-standby-offers": {"task": "standby.send_standby_offers", "schedule": 60},
    # Once a day: fleet managers hear of new clinic days at risk; yesterday's doses are exported.
    "alert-readiness": {"task": "readiness.alert_readiness", "schedule": crontab(hour=6, minute=0)},
    "export-campaign-doses": {"task": "campaign.export_campaign_doses", "schedule": crontab(hour=2, minute=30)},
    # Messages the hand-off after commit never delivered (broker down, worker killed).
    "outbox-sweep": {"task": "outbox.sweep", "schedule": 60},
    # Seats held for visitors confirming their email go back once the hold runs out.
    "release-expired-holds": {"task": "vaccination.release_expired_holds", "schedule": 60},
    # Sessions live in PostgreSQL (accounts.sessions): the expired ones go once a day.
    "clear-expired-sessions": {"task": "accounts.clear_expired_sessions", "schedule": crontab(hour=3, minute=15)},
}

# Accounts
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Argon2id with its memory cost chosen for the worker's budget (accounts/hashers.py
# says why: m = 19 MiB, t = 2, p = 1, OWASP's floor); older Argon2 hashes are
# upgraded on the next sign-in, the others below only verify old hashes.
PASSWORD_HASHERS = [
    "accounts.hashers.BoundedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "landing"  # project.views.landing: each role's work page
LOGOUT_REDIRECT_URL = "home"

# django-allauth (setting names as of allauth 65)
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# A person may sign in, and sign up (accounts.views.signup_by_code), with a
# code emailed to them instead of a password; accounts with a role may not
# (accounts.adapter). The code lives five minutes, within a seat hold's ten.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 5 * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = True
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
if ACCOUNT_EMAIL_VERIFICATION not in {"mandatory", "optional", "none"}:
    raise ImproperlyConfigured(
        f"ACCOUNT_EMAIL_VERIFICATION must be mandatory, optional or none; got {ACCOUNT_EMAIL_VERIFICATION!r}."
    )
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[VaxFleet] "
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Rate limits stay on (allauth's defaults, spelled out so they are visible
# and tunable); they count in the cache above.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "request_login_code": "20/m/ip,3/m/key",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    # Ours, counted by the same machinery (allauth.core.ratelimit): a person
    # books or moves an appointment a few times, a desk scans a person every
    # few seconds; anything faster is a script.
    "book": "20/m/user",
    # An anonymous visitor holding a seat while they confirm their email
    # (vaccination.holds): a few tries a minute from one address.
    "hold_seat": "10/m/ip",
    "check_in": "120/m/user",
    # The desk's find-by-name: a nurse looks up a few people an hour.
    "find_person": "30/m/user",
    # Deleting an account asks for the password again.
    "delete_account": "5/m/user",
}
# Two-factor authentication (authenticator app, recovery codes, security keys
# and passkeys through WebAuthn): everyone may turn it on; staff roles must
# (accounts.middleware). Turn the requirement off only for local demos.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "VaxFleet"
STAFF_MFA_REQUIRED = env_bool("DJANGO_STAFF_MFA_REQUIRED", True)
# Minutes a time is kept for a visitor who pressed Book while they confirm
# their email with a code (vaccination.holds). Bounded: 1 to 30.
SEAT_HOLD_MINUTES = min(max(env_int("VAXFLEET_SEAT_HOLD_MINUTES", 10), 1), 30)
# Behind Heroku's router (one proxy) the client address is the last hop of
# X-Forwarded-For; without this every client would share the router's IP.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("ALLAUTH_TRUSTED_PROXY_COUNT", 0)

# Email
if "EMAIL_BACKEND" in os.environ:
    EMAIL_BACKEND = os.environ["EMAIL_BACKEND"]
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "sent_emails"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)

# Spare-dose offers to the standby list (standby app): how long an offer's
# link stays valid, and how many people are offered each spare dose at once
# (the first to accept get it; the others are told kindly).
STANDBY_OFFER_MINUTES = env_int("VAXFLEET_STANDBY_OFFER_MINUTES", 20)
STANDBY_OFFERS_PER_DOSE = env_int("VAXFLEET_STANDBY_OFFERS_PER_DOSE", 2)
# The footer's links (project.context_processors.footer): an empty URL shows the app's own page.
PRIVACY_URL = os.environ.get("VAXFLEET_PRIVACY_URL", "")
ACCESSIBILITY_URL = os.environ.get("VAXFLEET_ACCESSIBILITY_URL", "")
HELP_EMAIL = os.environ.get("VAXFLEET_HELP_EMAIL", "help@vaxfleet.example")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "VaxFleet <no-reply@vaxfleet.example>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Phone numbers (django-phonenumber-field, accounts.phones): one typed without
# its country code is read as a number of this country (ISO 3166 code, e.g. ES);
# empty: a number must start with its +code. Stored in E.164, shown spaced.
PHONENUMBER_DEFAULT_REGION = os.environ.get("PHONENUMBER_DEFAULT_REGION", "").upper() or None
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"

# Text messages (outbox/sms.py), chosen like EMAIL_BACKEND: printed in debug,
# off in production until a provider is configured.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "outbox.sms.ConsoleBackend" if DEBUG else "outbox.sms.DisabledBackend")
SMS_FROM = os.environ.get("SMS_FROM", "")
SMS_TWILIO_ACCOUNT_SID = os.environ.get("SMS_TWILIO_ACCOUNT_SID", "")
SMS_TWILIO_AUTH_TOKEN = os.environ.get("SMS_TWILIO_AUTH_TOKEN", "")
SMS_TWILIO_API_URL = os.environ.get("SMS_TWILIO_API_URL", "https://api.twilio.com")
SMS_TIMEOUT = env_int("SMS_TIMEOUT", 10)
if SMS_BACKEND == "outbox.sms.TwilioBackend" and not (SMS_TWILIO_ACCOUNT_SID and SMS_TWILIO_AUTH_TOKEN and SMS_FROM):
    raise ImproperlyConfigured(
        "SMS_BACKEND is Twilio: set SMS_TWILIO_ACCOUNT_SID, SMS_TWILIO_AUTH_TOKEN and SMS_FROM (the sending number)."
    )

# Internationalisation and time
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our named date formats (WEEKDAY_DATE_FORMAT...) per language.
FORMAT_MODULE_PATH = ["project.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")

# Static files: whitenoise serves them compressed, with hashed names.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # The campaign's daily dose exports (manage.py export_campaign_doses). A folder by
    # default; any storage backend works, e.g. django-storages' S3 with its own OPTIONS.
    "campaign_exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ.get("CAMPAIGN_EXPORT_DIR", str(BASE_DIR / "exports"))},
    },
}

# Uploaded files (inspection photos, documents), through Django's storage API:
# never served as public static files, only by the views that check who asks.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

# Forms
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_TAGS = {40: "danger"}  # Bootstrap calls the error colour "danger".

# Security. Issue-level hardening (CSP, MFA) builds on these defaults.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Cookies only over HTTPS; turn off only for a plain-HTTP local stack.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Only our own files: no inline script or style anywhere (JavaScript lives in
# static/js, CSS in static/css), no third-party origin. data: images are
# Bootstrap's inline SVG icons (navbar toggler, form validation).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# The JSON API (/api/v1/, app `api`). Tokens first: its header makes an
# unauthenticated call a 401 with WWW-Authenticate; the session serves the
# site's own JavaScript (with CSRF checks).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.StrictJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.AnonymousThrottle",
        "api.throttling.PerUserThrottle",
        "api.throttling.PerTokenThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("VAXFLEET_API_RATE_ANON", "60/min"),
        "user": os.environ.get("VAXFLEET_API_RATE_USER", "600/min"),
        "token": os.environ.get("VAXFLEET_API_RATE_TOKEN", "300/min"),
    },
    # The anonymous limit counts per client address: trust X-Forwarded-For
    # only as far as the proxies we know of, as allauth's limits do.
    "NUM_PROXIES": ALLAUTH_TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "VaxFleet API",
    "DESCRIPTION": (
        "The data and actions of the VaxFleet pages, under the same rules. Authenticate with a token from "
        "your account's API tokens page: `Authorization: Bearer vxf_…`. Every error answers "
        '`{"error": {"code": "…", "message": "…", "fields": {…}}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the installed drf-spectacular-sidecar: no third-party origin under the CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": False, "displayRequestDuration": True},
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TruckStatusEnum": "api.schema.TRUCK_STATUS",
        "ConditionStatusEnum": "api.schema.CONDITION_STATUS",
        "AppointmentStatusEnum": "api.schema.APPOINTMENT_STATUS",
        "SyncItemKindEnum": "api.schema.SYNC_ITEM_KIND",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
