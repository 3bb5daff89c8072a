"""Who may call what: the same rules as the pages (accounts.roles and the
model permissions the roles' groups hold)."""

from rest_framework import permissions

from accounts.roles import Role, has_role


class ModelPermissions(permissions.DjangoModelPermissions):
    """Django's model permissions, reading included (view_*), as the pages'
    permission_required does."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class DriverAccess(ModelPermissions):
    """Drivers: as ModelPermissions, and a client user may read (their own
    company's drivers only: Driver.objects.visible_to)."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS and has_role(request.user, Role.CLIENT_USER):
            return True
        return super().has_permission(request, view)


class IsClinicStaff(permissions.BasePermission):
    def has_permission(self, request, view):
        return has_role(request.user, Role.CLINIC_STAFF)


class IsAdmin(permissions.BasePermission):
    """Admins (site staff with the user permissions, and superusers)."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user.is_authenticated and user.is_active and user.is_staff) and ModelPermissions().has_permission(
            request, view
        )
