"""The account pages where a user creates, sees and revokes API tokens:
for those who may use the API (accounts.roles.may_use_api), 403 for others.

For staff these pages sit behind the two-factor requirement
(accounts.middleware does not exempt them), so a stolen password alone
cannot mint a token."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import api_user_required
from api.forms import TokenForm
from api.models import ApiToken

MAX_TOKENS = 20


@api_user_required
@require_http_methods(["GET", "HEAD", "POST"])
def token_list(request):
    tokens = ApiToken.objects.filter(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if tokens.usable().count() >= MAX_TOKENS:
            messages.error(request, _("You have %(n)s active tokens. Revoke one first.") % {"n": MAX_TOKENS})
            return redirect("tokens:list")
        token, secret = ApiToken.issue(
            user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
        )
        # The secret is shown on this one response and never again.
        example = f'curl -H "Authorization: Bearer {secret}" {request.build_absolute_uri(reverse("api:me"))}'
        response = render(request, "api/token_created.html", {"token": token, "secret": secret, "example": example})
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "api/token_list.html", {"tokens": tokens, "form": form})


@api_user_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token.revoke()
    messages.success(request, _("The token “%(name)s” is revoked; it no longer works.") % {"name": token.name})
    return redirect("tokens:list")
