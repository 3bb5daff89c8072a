"""What a user may do (role names and permissions), and whether two-factor
authentication is on, kept on the user's row.

Every signed-in request loads the user row anyway; reading the roles and
permissions from it saves the two or three queries per page that asking the
groups and permission tables would cost. The copy is a cache of those tables,
so every change to them clears it for the users concerned, in the same
transaction as the change:

- a user joins or leaves a group, or gets or loses a permission directly;
- a group gets or loses a permission, is renamed or deleted;
- a permission is deleted;
- an authenticator (TOTP, security key, recovery codes) is added or removed;
- migrations ran (a data migration may grant permissions without signals).

The two-factor flag spares every staff page the query that asks for it
(accounts.middleware.StaffMFAMiddleware). allauth's own sign-in flow still
asks the table itself: only our "set it up first" redirect reads the copy.

Signing in stores the copy; a cleared copy is rebuilt by the next request that needs it (three queries) and
stored only if nothing changed meanwhile: clearing bumps `authz_version`,
and the rebuilt copy is written only where the version is still the one read
with the row, so a rebuild racing a change can never store the old rights.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in
from django.db import connections
from django.db.models import F, Q
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete


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


def clear(users) -> None:
    """Forget the stored rights of `users` (a queryset of users)."""
    users.update(authz=None, authz_version=F("authz_version") + 1)


def _user_model():
    from django.contrib.auth import get_user_model

    return get_user_model()


# m2m_changed actions after which the relation changed; a clear is handled
# before it happens, while the rows still say whom it concerns.
_ACTIONS = {"post_add", "post_remove", "pre_clear"}


def _user_relation_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """user.groups / user.user_permissions, from either side."""
    if action not in _ACTIONS:
        return
    User = _user_model()
    if not reverse:  # user.groups.add(group), user.user_permissions.remove(perm)
        clear(User.objects.filter(pk=instance.pk))
    elif pk_set:  # group.user_set.add(user), permission.user_set.remove(user)
        clear(User.objects.filter(pk__in=pk_set))
    elif isinstance(instance, Group):  # group.user_set.clear()
        clear(User.objects.filter(groups=instance))
    else:  # permission.user_set.clear()
        clear(User.objects.filter(user_permissions=instance))


def _group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """group.permissions, from either side."""
    if action not in _ACTIONS:
        return
    User = _user_model()
    if not reverse:  # group.permissions.add(perm)
        clear(User.objects.filter(groups=instance))
    elif pk_set:  # permission.group_set.add(group)
        clear(User.objects.filter(groups__pk__in=pk_set))
    else:  # permission.group_set.clear()
        clear(User.objects.filter(groups__permissions=instance))


def _group_saved(sender, instance, created, **kwargs):
    if not created:  # a renamed group renames a role
        clear(_user_model().objects.filter(groups=instance))


def _group_deleted(sender, instance, **kwargs):
    clear(_user_model().objects.filter(groups=instance))


def _permission_deleted(sender, instance, **kwargs):
    clear(_user_model().objects.filter(Q(groups__permissions=instance) | Q(user_permissions=instance)))


def _authenticator_changed(sender, instance, **kwargs):
    clear(_user_model().objects.filter(pk=instance.user_id))


def _signed_in(sender, user, **kwargs):
    # Store the copy now, so even the first page after signing in reads it;
    # from the row as it is now (this `user` may have been read before a change).
    load(type(user).objects.only("pk", "authz", "authz_version").get(pk=user.pk))


def _migrated(sender, using, **kwargs):
    if sender.name != "accounts":  # sent once per app; once is enough
        return
    User = _user_model()
    connection = connections[using]
    with connection.cursor() as cursor:
        # Migrated backwards, the column may not exist (or the table).
        if User._meta.db_table not in connection.introspection.table_names(cursor):
            return
        columns = {
            column.name for column in connection.introspection.get_table_description(cursor, User._meta.db_table)
        }
    if "authz" in columns:
        clear(User.objects.using(using).exclude(authz=None))


def connect() -> None:
    User = _user_model()
    m2m_changed.connect(_user_relation_changed, sender=User.groups.through, dispatch_uid="authz-user-groups")
    m2m_changed.connect(_user_relation_changed, sender=User.user_permissions.through, dispatch_uid="authz-user-perms")
    m2m_changed.connect(_group_permissions_changed, sender=Group.permissions.through, dispatch_uid="authz-group-perms")
    post_save.connect(_group_saved, sender=Group, dispatch_uid="authz-group-saved")
    pre_delete.connect(_group_deleted, sender=Group, dispatch_uid="authz-group-deleted")
    pre_delete.connect(_permission_deleted, sender=Permission, dispatch_uid="authz-permission-deleted")
    post_migrate.connect(_migrated, dispatch_uid="authz-migrated")
    user_logged_in.connect(_signed_in, dispatch_uid="authz-signed-in")
    post_save.connect(_authenticator_changed, sender=Authenticator, dispatch_uid="authz-authenticator-saved")
    post_delete.connect(_authenticator_changed, sender=Authenticator, dispatch_uid="authz-authenticator-deleted")
