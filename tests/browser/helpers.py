"""Steps several browser journeys share."""

import re
import time

from django.core import mail

# Where signing in leads (project.views.landing): home, or a role's work page.
LANDED = re.compile(r"/(accounts/profile/|clinic/checkin/|fleet/me/)?$")


def label(text):
    """A field's accessible name: its label, and the * of a required field."""
    return re.compile(rf"^\s*{re.escape(text)}\*?\s*$")


def fill_signup(page, *, email, first_name, last_name, password):
    """Fill allauth's signup form (the page must show it); does not submit."""
    # A textbox: the signup form also has an "Email" choice for reminders.
    page.get_by_role("textbox", name=label("Email")).fill(email)
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
    # A textbox: the signup form also has an "Email" choice for reminders.
    page.get_by_role("textbox", name=label("Email")).fill(email)
    page.get_by_label(label("Password")).fill(password)
    page.get_by_role("button", name="Sign In").click()


# What has the keyboard focus, whether it shows it, and its accessible text.
FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    text: (el.getAttribute("aria-label") || (el.labels && el.labels.length && el.labels[0].innerText)
           || el.innerText || el.value || "").trim().replace(/\\s+/g, " "),
    visible: box.width > 0 && box.height > 0 && el.checkVisibility({opacityProperty: true, visibilityProperty: true}),
    ring: outline || style.boxShadow !== "none",
    path: el.outerHTML.slice(0, 120),
  };
}"""


def focused(page):
    return page.evaluate(FOCUSED)


def tab_to(page, text, *, key="Tab", presses=80):
    """Press Tab (or Shift+Tab) until the focused element's text matches
    `text` (a regex); every stop on the way must be on screen and show a
    focus ring, and the focus must not go round in circles first."""
    seen, texts = [], []
    for _ in range(presses):
        page.keyboard.press(key)
        now = focused(page)
        if now["tag"] == "body":
            continue  # between the end of the page and its start
        assert now["visible"], f"focus on a hidden element: {now}"
        assert now["ring"], f"no focus ring: {now}"
        if re.search(text, now["text"]):
            return now
        assert now["path"] not in seen[:1], f"went round the page without reaching {text!r}: {texts}"
        texts.append(now["text"])
        seen.append(now["path"])
    raise AssertionError(f"{text!r} not reached in {presses} presses: {seen}")


def wait_until(page, expression, timeout=10):
    """Wait until the JavaScript `expression` (or function) is true in `page`.

    Polled from Python with evaluate(), which the page's Content-Security-Policy
    does not govern. Playwright's wait_for_function compiles its predicate
    inside the page when the first check fails, and the CSP (no 'unsafe-eval')
    refuses that: a console error that fails the test now and then."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"Still not true after {timeout} s: {expression}")
        page.wait_for_timeout(50)


def book_on_the_check_page(page, *, check="Check your booking", book="Book", done="Booking complete"):
    """From the check page a slot button led to: press Book, see the confirmation panel."""
    page.get_by_role("heading", name=check).wait_for()
    page.get_by_role("button", name=book, exact=True).click()
    page.get_by_role("heading", name=done).wait_for()
