"""sqlinsert: rows written in fewer round trips, with the answers save() gives."""

import pytest
from django.db import connection

import sqlinsert
from audit.models import AuditEvent
from outbox.models import Message

pytestmark = pytest.mark.django_db


def event(label):
    return AuditEvent(action="book", target_label=label)


def test_rows_along_are_written_with_the_row_in_one_statement_on_postgresql(django_assert_num_queries):
    message = Message(kind="k", to="a@example.com", key="once")
    told, also = event("first"), event("second")

    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 3):
        assert sqlinsert.insert_unless_duplicate(message, along=[told, also])

    assert Message.objects.get(pk=message.pk).key == "once"
    assert [(e.pk, e.target_label) for e in AuditEvent.objects.order_by("pk")] == [
        (told.pk, "first"),
        (also.pk, "second"),
    ]
    assert not message._state.adding
    assert not told._state.adding


def test_rows_along_a_duplicate_are_written_all_the_same():
    Message.objects.create(kind="k", to="a@example.com", key="once")
    told = event("told")

    assert not sqlinsert.insert_unless_duplicate(Message(kind="k", to="b@example.com", key="once"), along=[told])

    assert Message.objects.count() == 1
    assert AuditEvent.objects.get().pk == told.pk
