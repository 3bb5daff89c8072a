"""Roles are Django groups with model permissions.

The groups are created by a data migration (accounts 0002); each app's own
migrations grant its models' permissions to them with `grant_permissions`,
so accounts never needs to know another app's models.
"""

from enum import StrEnum
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


class Role(StrEnum):
    """Group names. A signed-in user with none of these is a "person"."""

    CLINIC_STAFF = "Clinic staff"
    FLEET_MANAGER = "Fleet manager"
    DRIVER = "Driver"
    CLIENT_USER = "Client user"
    CAMPAIGN_LEAD = "Campaign lead"


# Roles that act on other people's health or personal data: they must use
# two-factor authentication (settings.STAFF_MFA_REQUIRED).
STAFF_ROLES = frozenset({Role.CLINIC_STAFF, Role.FLEET_MANAGER, Role.CAMPAIGN_LEAD})


def is_staff_member(user) -> bool:
    """Admins and the staff roles; drivers, client users and persons are not."""
    if not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or not user.role_names.isdisjoint(STAFF_ROLES)


def may_sign_in_by_code(user) -> bool:
    """Only a person signs in with a code emailed to them (no password).

    An account with any role (staff, fleet manager, campaign lead, driver,
    client user) or admin access acts for the organisation on other people's
    records: it signs in with its password, plus two-factor authentication
    where the role requires it (STAFF_ROLES), so a read mailbox alone never
    opens it. Enforced by accounts.adapter for every sign-in by code.
    """
    return not (user.is_staff or user.is_superuser or user.role_names)


def has_role(user, *roles: Role) -> bool:
    """True when the user holds any of `roles`. Superusers hold every role."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return not user.role_names.isdisjoint(roles)


def _guard(allowed):
    """Decorator factory: anonymous users go to the login page, signed-in
    users that `allowed(user)` refuses get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def may_use_api(user) -> bool:
    """API tokens are for those who work with the API: admins, every role
    (staff, drivers, client users), and a person who asked for them on their
    profile (User.wants_api). Others are not shown what they cannot use."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.is_staff or bool(user.role_names) or user.wants_api


def api_user_required(view):
    """Only users who may_use_api: anonymous to the login page, others 403."""
    return _guard(may_use_api)(view)


def role_required(*roles: Role):
    """Only users holding one of `roles` (or superusers) may use the view."""
    if not roles:
        raise ValueError("role_required needs at least one role")
    return _guard(lambda user: has_role(user, *roles))


def permission_required(*perms: str):
    """Only users holding every permission in `perms` may use the view."""
    if not perms:
        raise ValueError("permission_required needs at least one permission")
    return _guard(lambda user: user.is_active and user.has_perms(perms))


def grant_permissions(apps, grants: dict[Role, list[str]]):
    """For data migrations: give each role the listed "app_label.codename"
    permissions, creating the permission rows first if Django has not yet
    (it normally creates them after all migrations ran)."""
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    for role, perms in grants.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
