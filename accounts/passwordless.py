"""Signing in and signing up with a one-time code emailed to the person.

Built on allauth's login by code (settings.ACCOUNT_LOGIN_BY_CODE_ENABLED): the
code, its lifetime, attempts, resends, the confirmation page and the sign-in
itself are allauth's. What is ours: one form for a new or a returning person
(email and names), so the page never tells whether an address has an account.
"""

from allauth.account import signals
from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.login_by_code import LoginCodeVerificationProcess
from allauth.account.internal.userkit import filter_users_by_email
from allauth.core import ratelimit
from django.urls import reverse
from django.utils.http import urlencode


def send_sign_in_code(request, form, *, next_url: str | None = None) -> str | None:
    """Email a sign-in code to the address of a valid PasswordlessSignupForm,
    creating the account (no password) when the address has none.

    Returns the URL of allauth's page where the code is entered (with
    `next_url` passed on), or None when the address asked for too many codes
    (allauth's "request_login_code" limit per address; the form then carries
    the error). Side effects: may create a user and their unverified email
    address; sends one email (a code, or for an account with a role, how to
    sign in instead: accounts.adapter).
    """
    email = form.cleaned_data["email"]
    if not ratelimit.consume(request, action="request_login_code", key=email.lower()):
        form.add_error("email", get_adapter().error_messages["too_many_login_attempts"])
        return None
    if form.account_already_exists:
        user = filter_users_by_email(email, is_active=True, prefer_verified=True, for_login=True)
        user = user[0] if user else None
    else:
        user = form.save(request)
        signals.user_signed_up.send(sender=user.__class__, request=request, user=user)
    # No active account (a deactivated one): allauth mails "no account here".
    LoginCodeVerificationProcess.initiate(request=request, user=user, email=email)
    url = reverse("account_confirm_login_code")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url
