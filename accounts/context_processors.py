from django.utils.functional import SimpleLazyObject

from accounts.roles import Role, has_role, may_use_api


class RoleFlags:
    """What the navigation may show this user; one query, only if asked."""

    def __init__(self, user):
        self.signed_in = user.is_authenticated
        self.admin = user.is_authenticated and user.is_active and user.is_staff
        self.clinic_staff = has_role(user, Role.CLINIC_STAFF)
        self.fleet_manager = has_role(user, Role.FLEET_MANAGER)
        self.driver = has_role(user, Role.DRIVER)
        self.client_user = has_role(user, Role.CLIENT_USER)
        self.campaign_lead = has_role(user, Role.CAMPAIGN_LEAD)
        self.api = may_use_api(user)

    @property
    def key(self) -> tuple[bool, ...]:
        """Every flag: what a page drawn once per set of roles varies on (pagecache.shell)."""
        return tuple(value for _name, value in sorted(vars(self).items()))


def roles(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"role": SimpleLazyObject(lambda: RoleFlags(user))}
