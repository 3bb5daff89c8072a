"""Sending a composed message on its channel."""

from django.core.mail import EmailMessage


def send(message, content) -> None:
    """Send `content` (an EmailMessage for email, the text for SMS) to the
    message's address. Raises whatever the backend raises."""
    if message.channel == "email":
        if not isinstance(content, EmailMessage):
            raise TypeError(f"an email composer must return an EmailMessage, not {type(content).__name__}")
        content.to = [message.to]
        content.send()
    elif message.channel == "sms":
        from outbox import sms

        sms.send(to=message.to, text=str(content))
    else:
        raise ValueError(f"unknown channel {message.channel!r}")
