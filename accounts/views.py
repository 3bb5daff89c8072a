import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import personal_data
from accounts.forms import DeleteAccountForm, PasswordlessSignupForm, ProfileForm
from accounts.passwordless import send_sign_in_code
from ratelimits import consume_or_429


@require_http_methods(["GET", "HEAD", "POST"])
def signup_by_code(request):
    """Create an account with no password: email and names, then the code
    emailed to the address signs the person in (accounts.passwordless). An
    address that already has an account gets a sign-in code the same way."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = PasswordlessSignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if limited := consume_or_429(request, action="signup"):
            return limited
        if form.is_valid() and (url := send_sign_in_code(request, form)):
            return redirect(url)
    return render(request, "accounts/signup_code.html", {"form": form})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request):
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        with translation.override(user.language):  # the language just chosen
            messages.success(request, _("Your profile was saved."))
        response = redirect("accounts:profile")
        # This device keeps the language after signing out too.
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        return response
    return render(request, "accounts/profile.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def data_export(request):
    """The signed-in person's own data as a JSON download."""
    data = personal_data.export(request.user)
    personal_data.personal_data_exported.send(sender=type(request.user), user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    name = f"vaxfleet-my-data-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_account(request):
    allowed = personal_data.may_self_delete(request.user)
    form = DeleteAccountForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and allowed:
        # The password is asked again: a limit keeps it from being guessed here.
        if limited := consume_or_429(request, action="delete_account"):
            return limited
        if form.is_valid():
            personal_data.delete_account(user=request.user)
            logout(request)
            return render(request, "accounts/deleted.html")
    return render(request, "accounts/delete.html", {"form": form, "allowed": allowed})


@require_POST
def set_language(request):
    """Django's set_language (cookie, redirect to `next`), and for a signed-in
    person the choice is kept on the user, so emails follow it too."""
    response = i18n.set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response
