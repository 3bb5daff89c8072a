"""allauth's account adapter, with VaxFleet's one rule about signing in by code.

A person may sign in (and sign up) with a one-time code emailed to them
(settings.ACCOUNT_LOGIN_BY_CODE_ENABLED). An account with a role keeps its
password and two-factor authentication (accounts.roles.may_sign_in_by_code):
no code is emailed to it, and a code sign-in that reaches it anyway is refused
before the session is opened.
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.internal.stagekit import clear_login
from allauth.account.internal.userkit import filter_users_by_email
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.roles import may_sign_in_by_code

LOGIN_CODE_MAIL = "account/email/login_code"
# What an account with a role gets instead of a code: how it signs in.
ROLE_SIGN_IN_MAIL = "account/email/login_code_refused"


def signed_in_by_code(request, user) -> bool:
    """The sign-in under way for `user` was proven by an emailed code."""
    records = get_authentication_records(request, user)
    return bool(records) and records[-1]["method"] == "code"


class AccountAdapter(DefaultAccountAdapter):
    def pre_login(self, request, user, **kwargs):
        if signed_in_by_code(request, user) and not may_sign_in_by_code(user):
            clear_login(request)
            messages.error(
                request,
                _(
                    "Your account has a role in the organisation: sign in with your password "
                    "and two-factor authentication."
                ),
            )
            return redirect("account_login")
        return super().pre_login(request, user, **kwargs)

    def send_mail(self, template_prefix, email, context):
        if template_prefix == LOGIN_CODE_MAIL:
            users = filter_users_by_email(email, is_active=True, prefer_verified=True, for_login=True)
            if users and not may_sign_in_by_code(users[0]):
                # The same page ("we have emailed you a code") for everyone, so
                # the form tells no one which accounts have a role.
                context = {key: value for key, value in context.items() if key != "code"}
                template_prefix = ROLE_SIGN_IN_MAIL
        return super().send_mail(template_prefix, email, context)
