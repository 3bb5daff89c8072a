from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from accounts import authz
from accounts.roles import is_staff_member
from api.models import ApiToken, digest


def mfa_missing(user) -> bool:
    """A staff member who must use two-factor authentication and has not set
    it up: refused on the API as on the pages (accounts.middleware)."""
    return settings.STAFF_MFA_REQUIRED and is_staff_member(user) and not authz.mfa_enabled(user)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer vxf_…` with a token made on /accounts/tokens/."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header must be “Bearer <token>”."))
        try:
            secret = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        token = ApiToken.objects.usable().select_related("user").filter(key_digest=digest(secret)).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token is not valid, has expired or was revoked."))
        if mfa_missing(token.user):
            raise exceptions.AuthenticationFailed(
                _("Your role needs two-factor authentication: set it up on the site before using the API.")
            )
        token.touch()
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'
