"""Security keys (WebAuthn) in the system Chromium, with its virtual
authenticator standing in for a USB key or a phone's passkey."""

import pytest
from allauth.mfa.models import Authenticator

from tests.browser.helpers import label
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def plug_in_a_security_key(page):
    """Chromium's DevTools virtual authenticator: answers WebAuthn like a real key, touch included."""
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return session


def sign_in_with_password(page, email):
    page.goto("/accounts/login/")
    page.get_by_label(label("Email")).fill(email)
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_a_nurse_adds_a_security_key_and_signs_in_with_it(page, screenshot, clinic_staff, settings):
    settings.STAFF_MFA_REQUIRED = True
    plug_in_a_security_key(page)
    sign_in_with_password(page, clinic_staff.email)
    page.get_by_text("needs two-factor authentication").wait_for()

    # A key instead of an authenticator app: allauth asks for the password again first.
    page.goto("/accounts/2fa/webauthn/add/")
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Add Security Key").wait_for()
    page.get_by_label(label("Name")).fill("Desk key")
    screenshot(page, "webauthn-add")
    page.get_by_role("button", name="Add").click()
    page.get_by_role("heading", name="Recovery Codes").wait_for()

    key = Authenticator.objects.get(user=clinic_staff, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Desk key"

    # Signed out and in again, the password alone is not enough: the key is asked for.
    page.goto("/accounts/logout/")
    page.get_by_role("button", name="Sign Out").click()
    sign_in_with_password(page, clinic_staff.email)
    page.get_by_role("heading", name="Two-Factor Authentication").wait_for()
    screenshot(page, "webauthn-authenticate")
    page.get_by_role("button", name="Use a security key").click()
    # Two-factor is on, so a nurse lands on the desk instead of the set-up page.
    # (No second visit: going to the desk while its service worker installs
    # from the landing could be aborted by the browser.)
    page.wait_for_url("**/clinic/checkin/")
    page.get_by_role("heading", name="Check-in desk").wait_for()
