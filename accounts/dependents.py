"""People a person cares for (a child, a parent): a dependent is a User row
with `carer` set, no usable password and a placeholder address
(accounts.models.placeholder_email), so every rule about a person (one
booked appointment, dose intervals, codes, the personal-data rules) holds
for them unchanged. Their carer acts for them (vaccination's access helper
`Appointment.objects.of` includes them); anyone else gets a 404.
"""

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.collation import by_name
from accounts.models import User, normalize_email, placeholder_email

MESSAGES = {
    "future_birth": _("The date of birth cannot be in the future."),
    "carer_is_dependent": _("Someone cared for by another person cannot add people of their own."),
    "email_taken": _("An account with this email address exists already."),
    "has_login": _("This person has their own login already."),
}


class DependentError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code])


def dependents_of(carer):
    return User.objects.filter(carer=carer, is_active=True).order_by(*by_name("first_name", "last_name"), "pk")


def dependent_of(carer, pk) -> User:
    """`carer`'s dependent `pk`, or 404: someone else's is never revealed."""
    return get_object_or_404(dependents_of(carer), pk=pk)


def add_dependent(*, carer, first_name: str, last_name: str, date_of_birth, relationship: str = "") -> User:
    """A new person `carer` cares for. Errors: future_birth, carer_is_dependent."""
    if carer.carer_id:
        raise DependentError("carer_is_dependent")
    if date_of_birth and date_of_birth > timezone.localdate():
        raise DependentError("future_birth")
    dependent = User(
        email=placeholder_email(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        date_of_birth=date_of_birth,
        relationship=relationship.strip(),
        carer=carer,
        language=carer.language,
    )
    dependent.set_unusable_password()
    dependent.save()
    return dependent


def give_own_login(*, dependent, email: str) -> User:
    """A dependent gets their own login, keeping their appointments and doses
    (the same row): their own address (unverified; they set a password with
    "forgot password" on it) and no carer any more.
    Errors: email_taken, has_login."""
    if dependent.carer_id is None or dependent.has_mailbox:
        raise DependentError("has_login")
    email = normalize_email(email)
    try:
        with transaction.atomic():
            dependent.email = email
            dependent.carer = None
            dependent.save(update_fields=["email", "carer"])
            EmailAddress.objects.create(user=dependent, email=email, primary=True, verified=False)
    except IntegrityError:
        raise DependentError("email_taken") from None
    return dependent
