"""Text messages: the backends, and the HTTPS provider tested against a fake
provider on 127.0.0.1 (success, retries, refusals, timeouts, no answer)."""

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

import outbox
from outbox import sms
from outbox.models import Message


class FakeTwilio:
    """Answers each POST with the next scripted (status, body, delay)."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.requests = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                fake.requests.append(
                    {
                        "path": self.path,
                        "auth": self.headers["Authorization"],
                        "form": parse_qs(self.rfile.read(length).decode()),
                    }
                )
                status, body, delay = fake.answers.pop(0) if fake.answers else (201, {"sid": "SM1"}, 0)
                time.sleep(delay)
                payload = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up waiting
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider(settings):
    fakes = []

    def start(*answers):
        fake = FakeTwilio(answers)
        fakes.append(fake)
        settings.SMS_BACKEND = "outbox.sms.TwilioBackend"
        settings.SMS_TWILIO_API_URL = fake.url
        settings.SMS_TWILIO_ACCOUNT_SID = "AC123"
        settings.SMS_TWILIO_AUTH_TOKEN = "secret-token"
        settings.SMS_FROM = "+34600000000"
        settings.SMS_TIMEOUT = 0.3
        return fake

    yield start
    for fake in fakes:
        fake.close()


@pytest.fixture(autouse=True)
def _no_waiting_between_attempts(monkeypatch):
    monkeypatch.setattr(sms, "_pause", lambda seconds: None)


@outbox.composer("test_text")
def _text(message):
    return "Your vaccination on Mon 7 Dec at 09:00, Central Clinic. Code ABCD2345."


def test_the_provider_gets_the_number_the_sender_and_the_text_with_its_credentials(provider):
    fake = provider((201, {"sid": "SM1", "status": "queued"}, 0))

    sms.send(to="+34612345678", text="Hello")

    [request] = fake.requests
    assert request["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request["form"] == {"To": ["+34612345678"], "From": ["+34600000000"], "Body": ["Hello"]}
    assert base64.b64decode(request["auth"].split()[1]) == b"AC123:secret-token"


def test_a_provider_error_500_is_retried_at_once_and_then_succeeds(provider, caplog):
    fake = provider((500, {"code": 20500, "message": "Internal Server Error"}, 0), (201, {"sid": "SM2"}, 0))

    sms.send(to="+34612345678", text="Hello")

    assert len(fake.requests) == 2
    assert "error code 20500" in caplog.text


def test_a_refused_number_fails_the_message_at_once_with_the_providers_code_in_the_log(db, provider, caplog):
    fake = provider((400, {"code": 21211, "message": "The 'To' number is not a valid phone number."}, 0))
    message = outbox.enqueue(kind="test_text", to="+34612345678", channel=Message.Channel.SMS)

    assert outbox.deliver(message.pk) == Message.Status.FAILED

    assert len(fake.requests) == 1  # a refusal is final: no retry
    assert "error code 21211" in caplog.text
    message.refresh_from_db()
    assert "21211" in message.last_error


def test_a_provider_that_times_out_is_tried_three_times_then_left_to_the_outbox_back_off(db, provider):
    fake = provider(*[(201, {"sid": "late"}, 1.0)] * 3)
    message = outbox.enqueue(kind="test_text", to="+34612345678", channel=Message.Channel.SMS)

    assert outbox.deliver(message.pk) == Message.Status.PENDING

    assert len(fake.requests) == 3
    message.refresh_from_db()
    assert message.available_at > message.created_at
    assert "Timeout" in message.last_error


def test_an_unreachable_provider_leaves_the_message_owed(db, settings):
    settings.SMS_BACKEND = "outbox.sms.TwilioBackend"
    settings.SMS_TWILIO_API_URL = "http://127.0.0.1:1"
    settings.SMS_TWILIO_ACCOUNT_SID, settings.SMS_TWILIO_AUTH_TOKEN, settings.SMS_FROM = "AC1", "t", "+34600000000"
    message = outbox.enqueue(kind="test_text", to="+34612345678", channel=Message.Channel.SMS)

    assert outbox.deliver(message.pk) == Message.Status.PENDING
    assert "ConnectionError" in Message.objects.get(pk=message.pk).last_error


def test_the_memory_backend_keeps_what_was_sent(db, settings):
    settings.SMS_BACKEND = "outbox.sms.MemoryBackend"
    sms.sent.clear()
    message = outbox.enqueue(kind="test_text", to="+34612345678", channel=Message.Channel.SMS)

    assert outbox.deliver(message.pk) == Message.Status.SENT
    assert sms.sent == [("+34612345678", "Your vaccination on Mon 7 Dec at 09:00, Central Clinic. Code ABCD2345.")]


def test_the_console_backend_prints_and_with_no_provider_texts_are_off(settings, capsys):
    settings.SMS_BACKEND = "outbox.sms.ConsoleBackend"
    sms.send(to="+34612345678", text="Hello")
    assert "SMS to +34612345678: Hello" in capsys.readouterr().out

    settings.SMS_BACKEND = "outbox.sms.DisabledBackend"
    assert sms.enabled() is False
    with pytest.raises(sms.SmsRejected):
        sms.send(to="+34612345678", text="Hello")
