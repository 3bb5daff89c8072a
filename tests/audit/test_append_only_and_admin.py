"""The log cannot be changed by the application; admins search it, read-only."""

import pytest
from django.urls import reverse

import audit
from audit.models import Action, AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(person):
    return audit.record(Action.BOOK, actor=person, target=person, data={"code": "ABCDEFGH"})


def test_a_saved_event_cannot_be_saved_again(event):
    event.action = Action.CANCEL

    with pytest.raises(AppendOnlyError):
        event.save()

    assert AuditEvent.objects.get().action == Action.BOOK


def test_an_event_cannot_be_deleted_one_by_one_or_in_bulk(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(actor_label="someone else")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["actor_label"])

    assert AuditEvent.objects.get().actor_label == "pat@example.org"


def test_the_admin_lists_and_searches_events_for_a_superuser(client, superuser, person, other_person):
    audit.record(Action.BOOK, actor=person, target=person)
    audit.record(Action.CANCEL, actor=other_person, target=other_person)
    client.force_login(superuser)
    url = reverse("admin:audit_auditevent_changelist")

    by_email = client.get(url, {"q": "olive@"})
    by_action = client.get(url, {"action__exact": Action.BOOK})

    assert by_email.status_code == 200
    assert [e.actor_label for e in by_email.context["cl"].result_list] == ["olive@example.org"]
    assert [e.action for e in by_action.context["cl"].result_list] == [Action.BOOK]


def test_the_admin_searches_by_ip_address(client, superuser):
    AuditEvent.objects.create(action=Action.LOGIN_FAILED, ip="198.51.100.23")
    AuditEvent.objects.create(action=Action.LOGIN_FAILED, ip="203.0.113.9")
    client.force_login(superuser)

    response = client.get(reverse("admin:audit_auditevent_changelist"), {"q": "198.51.100"})

    assert [str(e.ip) for e in response.context["cl"].result_list] == ["198.51.100.23"]


def test_the_admin_shows_an_event_but_offers_no_add_change_or_delete(client, superuser, event):
    client.force_login(superuser)

    page = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    changed = client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"action": "cancel"})
    deleted = client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"})
    added = client.get(reverse("admin:audit_auditevent_add"))

    assert page.status_code == 200
    assert "ABCDEFGH" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert changed.status_code == 403
    assert deleted.status_code == 403
    assert added.status_code == 403
    assert AuditEvent.objects.filter(action=Action.BOOK).count() == 1


def test_the_bulk_delete_action_is_not_offered(client, superuser, event):
    client.force_login(superuser)

    response = client.get(reverse("admin:audit_auditevent_changelist"))

    assert "delete_selected" not in response.content.decode()


def test_a_signed_in_person_cannot_open_the_log(client, person, event):
    client.force_login(person)

    response = client.get(reverse("admin:audit_auditevent_changelist"))

    assert response.status_code == 302
    assert "/login/" in response["Location"]
