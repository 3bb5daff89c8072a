from django.conf import settings

from audit.context import client_ip, current_request
from audit.models import AuditEvent


def _label(obj) -> str:
    if obj is None:
        return ""
    if obj._meta.label_lower == settings.AUTH_USER_MODEL.lower():
        return obj.email[:254]  # people are searched by their login
    return str(obj)[:254]


def record(action, *, target=None, actor=None, data=None, request=None, target_label=None) -> AuditEvent:
    """Write one audit event. Call it inside the transaction of the change
    it tells, so a rolled-back change leaves no event.

    `actor` defaults to the signed-in user of the current request (none in a
    management command); the IP address always comes from the request.
    """
    event = unsaved(action, target=target, actor=actor, data=data, request=request, target_label=target_label)
    event.save()
    return event


def unsaved(action, *, target=None, actor=None, data=None, request=None, target_label=None) -> AuditEvent:
    """The event `record` would write, not yet saved: for a caller that writes
    it in the same statement as the change it tells (vaccination.checkin)."""
    request = request if request is not None else current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    return AuditEvent(
        action=action,
        actor=actor,
        actor_label=_label(actor),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=(target_label if target_label is not None else _label(target))[:254],
        ip=client_ip(request),
        data=data or {},
    )
