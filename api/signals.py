"""A new password ends every API token of its user.

Whoever changed or reset the password may be shutting out someone who knew
the old one, and a token made with the old password would let them on. Any
path counts (the account pages, a reset link, the admin, the API's users/,
`manage.py changepassword`): Django marks a user saved with a new password
by `_password`, which it leaves unset for a mere hash upgrade at sign-in.
The account pages then tell the person (allauth's password signals).
"""

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import ngettext

from api.models import ApiToken


def _revoke_tokens(sender, instance, created, **kwargs):
    if created or getattr(instance, "_password", None) is None:
        return
    revoked = ApiToken.objects.usable().filter(user=instance).update(revoked_at=timezone.now())
    instance._api_tokens_revoked = revoked


def _tell(sender, request, user, **kwargs):
    revoked = getattr(user, "_api_tokens_revoked", 0)
    if revoked and request is not None:
        messages.info(
            request,
            ngettext(
                "Your API token was revoked with the old password; make a new one if you still need it.",
                "Your %(count)d API tokens were revoked with the old password; make new ones if you still need them.",
                revoked,
            )
            % {"count": revoked},
        )


def connect() -> None:
    post_save.connect(_revoke_tokens, sender=get_user_model(), dispatch_uid="api-revoke-tokens-on-password")
    for signal in (password_changed, password_reset, password_set):
        signal.connect(_tell, dispatch_uid=f"api-tell-tokens-revoked-{id(signal)}")
