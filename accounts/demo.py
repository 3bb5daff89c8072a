"""Demo accounts for `seed_demo`. Never run against production data."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 -- published in PRODUCT.md; seed_demo refuses production

# (email, first name, last name, role or None for a plain person, superuser)
DEMO_ACCOUNTS = [
    ("admin@example.com", "Ada", "Admin", None, True),
    ("staff@example.com", "Sam", "Nurse", Role.CLINIC_STAFF, False),
    ("fleet@example.com", "Fiona", "Fleet", Role.FLEET_MANAGER, False),
    ("driver@example.com", "Diego", "Driver", Role.DRIVER, False),
    ("client@example.com", "Clara", "Client", Role.CLIENT_USER, False),
    ("patient@example.com", "Pat", "Patient", None, False),
    ("lead@example.com", "Lea", "Lead", Role.CAMPAIGN_LEAD, False),
]


def seed_accounts() -> dict[str, User]:
    """Create or refresh the demo accounts; return them by email.

    Idempotent: running it again resets names, roles and the password, and
    marks each address verified so the demo logins work at once.
    """
    users = {}
    for email, first_name, last_name, role, superuser in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(email=email, defaults={"first_name": first_name, "last_name": last_name})
        user.first_name, user.last_name = first_name, last_name
        user.is_superuser = user.is_staff = superuser
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        if email == "patient@example.com":
            # Reminders by email and text: `make run` prints both in the terminal.
            user.phone, user.reminder_channel = "+34 600 000 123", User.ReminderChannel.BOTH
        elif email == "staff@example.com":
            # The number the demo driver's trip page gives to call the mobile clinic.
            user.phone = "+34 600 000 456"
        user.save()
        if role:
            user.groups.set([Group.objects.get(name=role.value)])
        else:
            user.groups.clear()
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        users[email] = user
    return users
