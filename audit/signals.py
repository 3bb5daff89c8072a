"""Sign-ins and role changes, from Django's own signals."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from accounts.personal_data import account_deleted, personal_data_exported, personal_data_requested
from audit.models import Action, AuditEvent
from audit.recorder import record

User = get_user_model()


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record(Action.LOGIN, actor=user, target=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(Action.LOGOUT, actor=user, target=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; we keep only
    # the address that was tried, never anything else that was typed.
    tried = str(credentials.get("email") or credentials.get("username") or "")[:254]
    record(Action.LOGIN_FAILED, request=request, target_label=tried, data={"email": tried})


def _group_names(pks):
    return sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True))


@receiver(m2m_changed, sender=User.groups.through)
def _roles_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """user.groups.add/remove/clear/set and group.user_set.add/remove/clear."""
    if action == "pre_clear":
        # The names are gone after the clear; note them now.
        if reverse:
            instance._audit_cleared_users = list(instance.user_set.all())
        else:
            instance._audit_cleared_groups = _group_names(instance.groups.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    change = "added" if action == "post_add" else "removed"
    cleared = action == "post_clear"
    if not reverse:
        names = getattr(instance, "_audit_cleared_groups", []) if cleared else _group_names(pk_set)
        if names:
            record(Action.ROLES_CHANGED, target=instance, data={change: names})
        return
    users = getattr(instance, "_audit_cleared_users", []) if cleared else User.objects.filter(pk__in=pk_set)
    for user in users:
        record(Action.ROLES_CHANGED, target=user, data={change: [instance.name]})


@receiver(personal_data_exported)
def _data_exported(sender, user, **kwargs):
    record(Action.DATA_EXPORT, actor=user, target=user)


@receiver(personal_data_requested)
def _own_activity(sender, user, **kwargs):
    """The person's own actions in the log (what, when, from where) belong in their download."""
    mine = AuditEvent.objects.filter(actor=user).order_by("at", "pk").values_list("at", "action", "ip")
    return "activity", [{"at": at.isoformat(), "action": action, "ip": ip} for at, action, ip in mine]


@receiver(account_deleted)
def _account_deleted(sender, user, old_email, **kwargs):
    """The events stay (who did what must outlive the account), but the
    deleted person's address leaves them, including failed sign-ins with it."""
    label = f"deleted user #{user.pk}"
    # The actor is whoever asked: the person themself, or an admin (admin action).
    record(Action.ACCOUNT_DELETE, target=user, target_label=label)
    AuditEvent.objects.anonymise_labels(user=user, label=label, email=old_email)
