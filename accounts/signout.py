"""Signing out wipes what the site kept in the browser.

The check-in desk keeps the day's roster of its clinic and its unsynced
scans in the browser (IndexedDB) and a copy of the desk page (Cache
Storage, through its service worker); none of it may outlive the session on
a shared device. `Clear-Site-Data` makes the browser delete all of it, and
the service worker, when the sign-out succeeds."""

from functools import wraps

from allauth.account.views import logout as allauth_logout

CLEAR_SITE_DATA = '"cache", "storage"'


def _clears_site_data(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        was_signed_in = request.user.is_authenticated
        response = view(request, *args, **kwargs)
        if request.method == "POST" and was_signed_in and not request.user.is_authenticated:
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response

    return wrapped


logout = _clears_site_data(allauth_logout)
