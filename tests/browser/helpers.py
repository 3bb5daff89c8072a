"""Steps several browser journeys share."""

import re

from django.core import mail


def label(text):
    """A field's accessible name: its label, and the * of a required field."""
    return re.compile(rf"^\s*{re.escape(text)}\*?\s*$")


def fill_signup(page, *, email, first_name, last_name, password):
    """Fill allauth's signup form (the page must show it); does not submit."""
    page.get_by_label(label("Email")).fill(email)
    page.get_by_label(label("First name")).fill(first_name)
    page.get_by_label(label("Last name")).fill(last_name)
    page.get_by_label(label("Password")).fill(password)
    page.get_by_label(label("Password (again)")).fill(password)


def verify_and_sign_in(page, *, email, password):
    """After signing up: follow the link of the last verification email,
    confirm the address, then sign in with `email` (in whatever case)."""
    page.get_by_role("heading", name="Verify Your Email Address").wait_for()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label(label("Email")).fill(email)
    page.get_by_label(label("Password")).fill(password)
    page.get_by_role("button", name="Sign In").click()
