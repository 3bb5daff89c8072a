"""Keep a language on every user from their first visit, so the emails we
send them are in the language they used to book."""

from allauth.account.signals import user_signed_up
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation


@receiver(user_signed_up)
@receiver(user_logged_in)
def remember_language(sender, request, user, **kwargs):
    if not user.language and request is not None:
        user.language = translation.get_language_from_request(request)
        user.save(update_fields=["language"])
