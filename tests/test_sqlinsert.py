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


def test_a_row_reads_back_as_save_would_have_written_it():
    """Nullable columns holding None are left out of the INSERT (NULL is
    their default) and auto_now columns are filled: the row is the one
    save() writes."""
    message = Message(kind="k", to="a@example.com", data={"n": 1}, last_error="")
    sql, _params = sqlinsert.insert_sql(message)
    assert "claimed_at" not in sql  # None, nullable: not sent
    assert "last_error" in sql  # "" is a value

    assert sqlinsert.insert_unless_duplicate(message)

    saved = Message.objects.values().get(pk=message.pk)
    written = Message.objects.create(kind="k", to="a@example.com", data={"n": 1}, last_error="")
    expected = Message.objects.values().get(pk=written.pk)
    for column in ("id", "created_at", "available_at"):
        saved.pop(column), expected.pop(column)
    assert saved == expected  # key, claimed_at and sent_at NULL, the defaults as save() wrote them
