import time

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    """A mail server that accepts the connection and never answers: the
    sender is stuck mid-send until it is killed."""

    def send_messages(self, email_messages):
        time.sleep(600)
