"""What a user may do (role names and permissions), and whether two-factor
authentication is on, kept on the user's row.

Every signed-in request loads the user row anyway; reading the roles and
permissions from it saves the three or four queries per page that asking the
groups, permission and authenticator tables would cost. The copy is a cache
of those tables, and a cache of a permission must never outlive a change to
its source, whatever made the change: database triggers
(accounts.rights_triggers, installed after every migrate) clear it, in the
transaction of the write, when a row it was made of is inserted, updated or
deleted — by the ORM, a bulk queryset on a through table, raw SQL or the
admin alike:

- a user joins or leaves a group, or gets or loses a permission directly;
- a group gets or loses a permission, is renamed or deleted;
- a permission (or its content type) is renamed or deleted;
- an authenticator (TOTP, security key, recovery codes) is added or removed.

Chosen over signals, which miss bulk and raw writes, and over recomputing
the rights on every request, which costs those queries on every page
(tools/bench/authz_cost.py measures both). A deactivated user is refused by the
authentication backends and the API token check, which read `is_active` from
the row itself.

The two-factor flag spares every staff page the query that asks for it
(accounts.middleware.StaffMFAMiddleware). allauth's own sign-in flow still
asks the table itself: only our "set it up first" redirect reads the copy.

Signing in stores the copy; a cleared copy is rebuilt by the next request
that needs it and stored only if nothing changed meanwhile: clearing bumps
`authz_version`, and the rebuilt copy is written only where the version is
still the one read with the row, so a rebuild racing a change can never store
the old rights.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.models import Permission
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate, pre_migrate

from accounts import rights_triggers


def compute(user) -> dict:
    """Role names, permission strings and the two-factor flag of `user`, from the tables (four queries)."""
    groups = list(user.groups.values_list("pk", "name"))
    perms = Permission.objects.values_list("content_type__app_label", "codename").order_by()
    user_perms = perms.filter(user=user)
    group_perms = perms.filter(group__in=[pk for pk, _name in groups]) if groups else []
    return {
        "roles": sorted(name for _pk, name in groups),
        "user_perms": sorted({f"{app}.{code}" for app, code in user_perms}),
        "group_perms": sorted({f"{app}.{code}" for app, code in group_perms}),
        "mfa": Authenticator.objects.filter(user_id=user.pk).exists(),
    }


def load(user) -> dict:
    """The user's rights: the stored copy, else computed and stored."""
    if user.pk is None:
        return {"roles": [], "user_perms": [], "group_perms": []}
    if user.authz is not None:
        return user.authz
    rights = compute(user)
    type(user).objects.filter(pk=user.pk, authz_version=user.authz_version).update(authz=rights)
    user.authz = rights
    return rights


def mfa_enabled(user) -> bool:
    """Whether `user` has two-factor authentication on (allauth's
    is_mfa_enabled), from the stored copy when it says."""
    rights = load(user)
    if "mfa" in rights:
        return rights["mfa"]
    return is_mfa_enabled(user)  # a copy stored before the flag existed


def _signed_in(sender, user, **kwargs):
    # Store the copy now, so even the first page after signing in reads it;
    # from the row as it is now (this `user` may have been read before a change).
    load(type(user).objects.only("pk", "authz", "authz_version").get(pk=user.pk))


def _before_migrating(sender, using, **kwargs):
    if sender.name == "accounts":  # sent once per app; once is enough
        rights_triggers.drop_on_sqlite(using)


def _migrated(sender, using, **kwargs):
    if sender.name == "accounts":
        rights_triggers.install(using)


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="authz-signed-in")
    pre_migrate.connect(_before_migrating, dispatch_uid="authz-before-migrating")
    post_migrate.connect(_migrated, dispatch_uid="authz-migrated")
