import pytest

from audit.models import AuditEvent

IP = "203.0.113.7"


@pytest.fixture
def events():
    """events(action) -> that action's audit events, oldest first."""

    def only(action):
        return list(AuditEvent.objects.filter(action=action).order_by("at", "pk"))

    return only
