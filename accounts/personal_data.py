"""A person's own data: download it, or delete the account.

accounts knows only the user row, its email addresses and authenticators;
the apps that hold more about a person answer two signals, so accounts never
imports them (see STYLE.md, dependencies point one way):

- `personal_data_requested(user)`: a receiver returns `(section, data)`
  to add to the download, or None.
- `personal_data_exported(user)`: the download was handed out.
- `account_deleting(user)`: sent inside the deletion's transaction before the
  row is scrubbed; a receiver cancels or anonymises what it holds, and may
  raise to refuse (everything rolls back).
- `account_deleted(user, old_email)`: sent in the same transaction after the
  scrub (the audit log records and anonymises here).
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from accounts import phones
from accounts.roles import is_staff_member

personal_data_requested = Signal()
personal_data_exported = Signal()
account_deleting = Signal()
account_deleted = Signal()

DELETED_DOMAIN = "deleted.invalid"  # RFC 2606: can never receive mail


def may_self_delete(user) -> bool:
    """A person may delete their own account; an account with any role
    (staff, driver, client user) or admin access is the organisation's: its
    actions are part of other people's records, so an administrator removes
    the roles first."""
    return user.is_authenticated and not is_staff_member(user) and not user.role_names


def export(user) -> dict:
    """Everything VaxFleet holds about `user`, as JSON-ready data."""
    data = {
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": phones.e164(user.phone) or str(user.phone or ""),
            "phone_unparsed": user.phone_unparsed,
            "reminder_channel": user.reminder_channel,
            "date_of_birth": user.date_of_birth.isoformat() if user.date_of_birth else None,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "roles": sorted(user.role_names),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        # Which methods are on, never their secrets.
        "two_factor": sorted(Authenticator.objects.filter(user=user).values_list("type", flat=True)),
        # The people this person cares for; their own data is in their own section.
        "people_you_care_for": [export(dependent) for dependent in user.dependents.filter(is_active=True)],
    }
    for _receiver, answer in personal_data_requested.send(sender=type(user), user=user):
        if answer:
            section, value = answer
            data[section] = value
    return data


def delete_account(*, user) -> None:
    """Delete `user`'s account, keeping what others must keep.

    In one transaction: the apps cancel and anonymise their data
    (account_deleting), then the row is scrubbed: email replaced by an
    undeliverable placeholder (so the address can sign up again), names,
    phone and date of birth blank, password unusable, inactive; its email
    addresses and two-factor authenticators are removed. The row itself stays
    so that past vaccination records keep pointing at it, anonymised.
    Sessions end: an inactive user with a changed password hash is signed
    out of every browser on its next request.
    """
    with transaction.atomic():
        # The people they care for cannot sign in: their accounts go too.
        for dependent in user.dependents.filter(is_active=True):
            delete_account(user=dependent)
        account_deleting.send(sender=type(user), user=user)
        old_email = user.email
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        user.email = f"deleted-{user.pk}@{DELETED_DOMAIN}"
        user.first_name = user.last_name = user.phone = user.phone_unparsed = ""
        user.date_of_birth = None
        user.relationship = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        account_deleted.send(sender=type(user), user=user, old_email=old_email)
