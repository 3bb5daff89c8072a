"""Text messages, through a backend chosen like EMAIL_BACKEND (SMS_BACKEND):

- `outbox.sms.ConsoleBackend`: printed (local use, `make run`);
- `outbox.sms.MemoryBackend`: kept in `outbox.sms.sent` (tests);
- `outbox.sms.TwilioBackend`: Twilio's REST API over HTTPS (plain `requests`),
  configured by SMS_TWILIO_ACCOUNT_SID, SMS_TWILIO_AUTH_TOKEN and SMS_FROM;
- `outbox.sms.DisabledBackend`: no provider configured (production default):
  nothing is owed by text, `enabled()` says so.

A backend's `send(to, text)` raises `SmsError` for a failure worth retrying
later (timeouts, 5xx, 429) and `SmsRejected` for one that never will succeed
(the provider refuses the number): the outbox retries the first and marks the
second failed at once. Provider error codes go to the log.
"""

import logging
import sys
import time

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

sent = []  # MemoryBackend's messages: (to, text)


class SmsError(Exception):
    """The provider could not take the text now; try again later."""


class SmsRejected(SmsError):
    """The provider refused the text for good (an invalid or blocked number)."""

    permanent = True  # the outbox marks the message failed without retrying


class DisabledBackend:
    enabled = False

    def send(self, *, to: str, text: str) -> None:
        raise SmsRejected("no SMS provider is configured (SMS_BACKEND)")


class ConsoleBackend:
    enabled = True

    def send(self, *, to: str, text: str) -> None:
        sys.stdout.write(f"SMS to {to}: {text}\n")
        sys.stdout.flush()


class MemoryBackend:
    enabled = True

    def send(self, *, to: str, text: str) -> None:
        sent.append((to, text))


class TwilioBackend:
    """Twilio's Messages API. Retries a timeout or a 5xx/429 answer twice at
    once (a provider hiccup), then leaves the rest to the outbox's back-off."""

    enabled = True
    ATTEMPTS = 3

    def __init__(self):
        self.account = settings.SMS_TWILIO_ACCOUNT_SID
        self.token = settings.SMS_TWILIO_AUTH_TOKEN
        self.sender = settings.SMS_FROM
        self.url = f"{settings.SMS_TWILIO_API_URL.rstrip('/')}/2010-04-01/Accounts/{self.account}/Messages.json"
        self.timeout = settings.SMS_TIMEOUT

    def send(self, *, to: str, text: str) -> None:
        import requests

        for attempt in range(1, self.ATTEMPTS + 1):
            try:
                response = requests.post(
                    self.url,
                    data={"To": to, "From": self.sender, "Body": text},
                    auth=(self.account, self.token),
                    timeout=self.timeout,
                )
            except requests.RequestException as error:
                problem = f"{type(error).__name__}: {error}"
                logger.warning("SMS provider unreachable (attempt %s of %s): %s", attempt, self.ATTEMPTS, problem)
            else:
                if response.status_code < 300:
                    return
                code, message = _twilio_error(response)
                logger.warning(
                    "SMS provider answered %s, error code %s (%s) (attempt %s of %s)",
                    response.status_code,
                    code,
                    message,
                    attempt,
                    self.ATTEMPTS,
                )
                problem = f"HTTP {response.status_code}, provider code {code}: {message}"
                if response.status_code < 500 and response.status_code != 429:
                    raise SmsRejected(problem)
            if attempt < self.ATTEMPTS:
                _pause(0.5 * attempt)
        raise SmsError(problem)


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def _twilio_error(response) -> tuple:
    try:
        body = response.json()
    except ValueError:
        return None, response.text[:200]
    return body.get("code"), body.get("message")


def backend():
    return import_string(settings.SMS_BACKEND)()


def enabled() -> bool:
    """Whether texts can be sent at all (a provider, or the console locally)."""
    return import_string(settings.SMS_BACKEND).enabled


def send(*, to: str, text: str) -> None:
    backend().send(to=to, text=text)
