import secrets
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import authz, phones, prepared, sessions
from accounts.validators import validate_name


def normalize_email(email: str) -> str:
    """The one spelling of an address we store and look up: trimmed, lower-case."""
    return (email or "").strip().lower()


def same_email(email: str) -> Exact:
    """The condition "a user's address is `email`, whatever its case", as
    the case-insensitive unique constraint below compares addresses, so that
    constraint's index finds the row. (`email__iexact` compares UPPER() of
    both, which no index serves: every sign-in read the whole user table,
    28 ms at 100,000 people.) Usable in filter() and in a Q."""
    return Exact(Lower("email"), normalize_email(email))


# People without an address of their own (a walk-in who gave none, a child
# booked by a parent) still need a row with a unique email, because the email
# is the login and unique. They get an address under this RFC 2606 domain,
# which can never receive mail, and no usable password: they cannot sign in
# until given a real address (accounts.dependents.give_own_login).
NO_MAILBOX_DOMAIN = "no-mailbox.invalid"


def placeholder_email() -> str:
    return f"person-{secrets.token_hex(8)}@{NO_MAILBOX_DOMAIN}"


def has_mailbox(email: str) -> bool:
    """False for the placeholders above and for deleted accounts' (both .invalid)."""
    return bool(email) and not normalize_email(email).endswith(".invalid")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(same_email(username))

    def get(self, *args, **kwargs):
        """As the ORM's, but `get(pk=...)` (every signed-in request, through
        ModelBackend.get_user) runs SQL compiled once (accounts.prepared)."""
        if not args and len(kwargs) == 1 and "pk" in kwargs:
            # The row read with the request's session (accounts.sessions), else one query.
            user = sessions.read_with_session(self, kwargs["pk"]) or prepared.get_by_pk(self, kwargs["pk"])
            if user is not None:
                return user
        return super().get(*args, **kwargs)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. The email address is the login."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    first_name = models.CharField(_("first name"), max_length=150, validators=[validate_name])
    last_name = models.CharField(_("last name"), max_length=150, validators=[validate_name])
    phone = phones.PhoneNumberField(_("phone"), blank=True)
    # A number stored before phones were validated that was not a phone number:
    # kept as it was, for the operator to fix (accounts.phones, report_bad_phones).
    phone_unparsed = models.CharField(
        _("phone as first entered (not a valid number)"), max_length=200, blank=True, default="", db_default=""
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    # A person (no role) sees the API token pages only after asking for them:
    # most people never connect another system (accounts.roles.may_use_api).
    wants_api = models.BooleanField(
        _("show API tokens"),
        default=False,
        db_default=False,
        help_text=_("To connect another app or system to your account."),
    )
    is_staff = models.BooleanField(
        _("admin site access"), default=False, help_text=_("Can sign in to the Django admin.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The user's role names and permissions, copied from the groups and
    # permission tables so a signed-in page reads them with the user row
    # instead of two or three more queries; accounts.authz keeps it right.
    authz = models.JSONField(_("rights (cached)"), null=True, blank=True, editable=False)
    authz_version = models.PositiveIntegerField(default=0, editable=False)
    # Empty until the person signs up, signs in or picks one: then the pages,
    # the emails and the calendar files we send them use it.
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of the pages and of the emails we send you."),
    )

    # Someone a carer (a parent, a relative) books for: they hold their own
    # appointments, code and dose history, and the carer acts for them.
    carer = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependents",
        verbose_name=_("cared for by"),
    )
    relationship = models.CharField(
        _("relationship"),
        max_length=60,
        blank=True,
        default="",
        # Rows written around the model (COPY of the bench data, raw SQL) get it too.
        db_default="",
        help_text=_("What the person is to their carer, e.g. son."),
    )

    class ReminderChannel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message (SMS)")
        BOTH = "both", _("Both")

    reminder_channel = models.CharField(
        _("reminders by"),
        max_length=8,
        choices=ReminderChannel,
        default=ReminderChannel.EMAIL,
        # Rows written around the model (COPY of the bench data, raw SQL) get it too.
        db_default=ReminderChannel.EMAIL,
        help_text=_("How we remind you of an appointment the day before. A text needs your mobile number."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            # Stored addresses are lower-case already; this holds even for rows
            # written around the model (raw SQL, bulk updates).
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(condition=~Q(carer=F("pk")), name="accounts_user_not_own_carer"),
            phones.E164Only("phone", name="accounts_user_phone_e164"),
        ]
        indexes = [
            # A walk-in is matched by email or by name and date of birth
            # (standby.walkins.find_matches): the day of birth narrows
            # 100,000 people to a handful, where the names alone would not
            # be indexed for a case-insensitive match.
            models.Index(fields=["date_of_birth"], condition=Q(date_of_birth__isnull=False), name="accounts_user_born"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        if not self._state.adding and kwargs.get("update_fields") is None:
            # Never write back the copy of the rights read with this row: a
            # role may have changed since, and only accounts.authz writes it.
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in {"authz", "authz_version"}
            ]
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": _("The date of birth cannot be in the future.")})

    @property
    def has_mailbox(self) -> bool:
        return has_mailbox(self.email)

    @property
    def contact_email(self) -> str:
        """Where mail about this person goes: their own address, else their
        carer's; "" when there is nowhere to send it (a walk-in without email)."""
        if self.has_mailbox:
            return self.email
        if self.carer_id:
            return self.carer.contact_email
        return ""

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def preferred_language(self) -> str:
        """The language for anything we send this person."""
        return self.language or settings.LANGUAGE_CODE

    @property
    def sms_number(self) -> str:
        """The phone number in E.164 (+34600123456) when it is a valid one
        (the field read it with PHONENUMBER_DEFAULT_REGION when typed without its code), else ""."""
        return phones.e164(self.phone)

    @property
    def wants_sms(self) -> bool:
        return self.reminder_channel in {self.ReminderChannel.SMS, self.ReminderChannel.BOTH}

    @property
    def wants_email(self) -> bool:
        return self.reminder_channel != self.ReminderChannel.SMS or not self.sms_number

    def get_short_name(self):
        return self.first_name or self.email

    @cached_property
    def role_names(self) -> frozenset[str]:
        """Names of the groups (roles) this user belongs to, read with the user row."""
        return frozenset(authz.load(self)["roles"])

    # ModelBackend (and allauth's, which extends it) look for these before
    # querying the permission tables; a superuser's are left to them (all).
    @cached_property
    def _user_perm_cache(self) -> set[str]:
        if self.is_superuser:
            raise AttributeError("_user_perm_cache")
        return set(authz.load(self)["user_perms"])

    @cached_property
    def _group_perm_cache(self) -> set[str]:
        if self.is_superuser:
            raise AttributeError("_group_perm_cache")
        return set(authz.load(self)["group_perms"])


class Session(AbstractBaseSession):
    """A browser's session (SESSION_ENGINE = "accounts.sessions"), with the
    user it signs in, so that every request reads both in one query."""

    # Set from the session's data on every save; None while no one is signed
    # in. No database constraint: a session write must never fail on the user
    # row, and a user deleted by raw SQL leaves a row whose join finds nobody
    # (signed out). Deleting through the ORM deletes the account's sessions.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "accounts_session"

    @classmethod
    def get_session_store_class(cls):
        return sessions.SessionStore
