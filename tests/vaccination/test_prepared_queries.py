"""sqlprepared: a hot path's queryset compiled once, run with each call's
values. It must give the very instances the ORM gives (joined rows, deferred
fields, converters) and refuse a queryset its values would reshape."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

import sqlprepared
from accounts.roles import Role
from tests.factories import UserFactory
from vaccination.models import Appointment, Slot

pytestmark = pytest.mark.django_db


def fields(instance: Model) -> dict:
    loaded = instance.get_deferred_fields()
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if f.attname not in loaded}


BY_CODE = sqlprepared.Prepared(
    lambda code: Appointment.objects.select_related("person", "slot__site", "slot__vaccine").filter(code=code),
    sample=("SAMPLECODE",),
)


def test_the_instances_and_their_joined_rows_are_the_orms(slot, make_appointment):
    people = [UserFactory(), UserFactory()]
    booked = [make_appointment(person, slot) for person in people]

    for appointment in booked:
        fast = BY_CODE.get(appointment.code)
        orm = Appointment.objects.select_related("person", "slot__site", "slot__vaccine").get(code=appointment.code)
        assert fields(fast) == fields(orm)
        assert fields(fast.person) == fields(orm.person)
        assert fields(fast.slot) == fields(orm.slot)
        assert fields(fast.slot.site) == fields(orm.slot.site)
        assert fields(fast.slot.vaccine) == fields(orm.slot.vaccine)
        assert type(fast.slot.start) is type(orm.slot.start)
        assert fast.slot.start.tzinfo is not None
        assert fast._state.adding is False
        assert fast._state.db == orm._state.db
    with pytest.raises(Appointment.DoesNotExist):
        BY_CODE.get("NOSUCHCODE")
    assert BY_CODE.first("NOSUCHCODE") is None


def test_the_joined_rows_need_no_further_query(slot, make_appointment, django_assert_num_queries):
    appointment = make_appointment(UserFactory(), slot)
    BY_CODE.get(appointment.code)  # compiled on first use

    with django_assert_num_queries(1):
        found = BY_CODE.get(appointment.code)
        assert found.person.email
        assert found.slot.site.name
        assert found.slot.vaccine.name


def latest_of(count, *, sample):
    """A person's `count` latest appointments, only their code and status loaded."""
    return sqlprepared.Prepared(
        lambda pk: Appointment.objects.filter(person_id=pk).only("code", "status").order_by("-pk")[:count],
        sample=(sample,),
    )


def test_deferred_fields_and_order_and_slice_are_kept(slot, make_appointment, django_assert_num_queries):
    person = UserFactory()
    made = [make_appointment(person, slot, status=Appointment.Status.CANCELLED) for _ in range(3)]
    latest = latest_of(2, sample=987654321)

    found = latest.all(person.pk)

    assert [a.pk for a in found] == [made[2].pk, made[1].pk]
    assert found[0].get_deferred_fields() >= {"slot_id", "dose_number"}
    assert found[0].code == made[2].code
    assert latest.all(person.pk + 1000) == []


def test_a_queryset_its_values_would_reshape_is_refused():
    with pytest.raises(sqlprepared.NotPreparable):
        sqlprepared.Prepared(lambda ids: Slot.objects.filter(pk__in=ids), sample=((1, 2),)).all((1, 2))
    with pytest.raises(sqlprepared.NotPreparable):  # a sample the SQL holds twice: which place is it?
        sqlprepared.Prepared(lambda n: Slot.objects.filter(capacity=n, booked_count=n), sample=(7,)).all(7)
    with pytest.raises(sqlprepared.NotPreparable):  # a sample that is not in the SQL at all
        sqlprepared.Prepared(lambda n: Slot.objects.all(), sample=(7,)).all(7)


on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side statements are PostgreSQL's")


def server_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


@on_postgresql
def test_on_postgresql_the_statement_is_planned_once_per_connection(slot, make_appointment, django_assert_num_queries):
    appointment = make_appointment(UserFactory(), slot)
    BY_CODE.get(appointment.code)
    name = BY_CODE._for().statement.name
    assert name in server_statements()

    # Each call sends EXECUTE with its values: one query, the same instances.
    with django_assert_num_queries(1) as ran:
        assert BY_CODE.get(appointment.code).pk == appointment.pk
    assert ran.captured_queries[0]["sql"].startswith(f"EXECUTE {name}(")


@on_postgresql
def test_a_new_connection_prepares_the_statement_again():
    """CONN_MAX_AGE passed, or an error closed the connection: the next one
    holds no statement and is given it. (A thread of its own: its connection
    may be closed, which the test's transaction forbids; it reads the roles
    the migrations made, which every connection sees.)"""
    by_name = sqlprepared.Prepared(lambda name: Group.objects.filter(name=name), sample=("SAMPLE-GROUP",))
    seen = []

    def twice():
        try:
            for _ in range(2):
                found = by_name.get(Role.FLEET_MANAGER).name
                seen.append((found, by_name._for().statement.name in server_statements()))
                connection.close()
        finally:
            connection.close()

    thread = threading.Thread(target=twice)
    thread.start()
    thread.join()

    assert seen == [(Role.FLEET_MANAGER, True), (Role.FLEET_MANAGER, True)]


@on_postgresql
def test_a_statement_prepared_in_a_rolled_back_transaction_still_serves(slot, make_appointment):
    appointment = make_appointment(UserFactory(), slot)
    fresh = sqlprepared.Prepared(lambda code: Appointment.objects.filter(code=code), sample=("SAMPLE-RB",))

    def read_then_fail():
        with transaction.atomic():
            assert fresh.get(appointment.code).pk == appointment.pk
            raise RuntimeError("roll it back")

    with pytest.raises(RuntimeError):
        read_then_fail()
    # PREPARE is not undone by a rollback: the statement is still there, and used.
    assert fresh._for().statement.name in server_statements()
    assert fresh.get(appointment.code).pk == appointment.pk


@on_postgresql
def test_a_statement_the_server_cannot_prepare_runs_as_plain_sql_and_spares_the_transaction(
    slot, make_appointment, caplog
):
    appointment = make_appointment(UserFactory(), slot)
    # "$2 IS NOT NULL": PostgreSQL cannot tell the type of $2, so PREPARE fails;
    # the same SQL with the value written in runs.
    odd = sqlprepared.Prepared(
        lambda code: Appointment.objects.filter(code=code).extra(where=["%s IS NOT NULL"], params=["anything"]),
        sample=("SAMPLE-ODD",),
    )
    with transaction.atomic():
        assert odd.get(appointment.code).pk == appointment.pk
        assert Appointment.objects.filter(pk=appointment.pk).exists()  # the transaction is not aborted
    assert odd.get(appointment.code).pk == appointment.pk
    assert odd._for().statement.name not in server_statements()
    assert len([r for r in caplog.records if "could not prepare" in r.getMessage()]) == 1


@on_postgresql
def test_preparing_on_the_server_can_be_turned_off(slot, make_appointment, settings):
    settings.SQLPREPARED_ON_SERVER = False
    appointment = make_appointment(UserFactory(), slot)
    plain = sqlprepared.Prepared(lambda code: Appointment.objects.filter(code=code), sample=("SAMPLE-OFF",))

    assert plain.get(appointment.code).pk == appointment.pk
    assert plain._for().statement.name not in server_statements()


@on_postgresql
def test_a_statement_given_as_sql_is_prepared_once_and_run_with_each_calls_values():
    sql = "SELECT %s::int + 1, %s::text"
    with CaptureQueriesContext(connection) as ran, connection.cursor() as cursor:
        sqlprepared.execute(cursor, sql, [41, "first"])
        first = cursor.fetchone()
        sqlprepared.execute(cursor, sql, [1, "second"])
        second = cursor.fetchone()

    assert (first, second) == ((42, "first"), (2, "second"))
    assert [query["sql"].split("(")[0] for query in ran.captured_queries] == [
        ran.captured_queries[0]["sql"].split("(")[0]
    ] * 2
    assert ran.captured_queries[0]["sql"].startswith("EXECUTE sqlprepared_")
    assert sqlprepared.statement_sql(ran.captured_queries[0]["sql"]) == sql
    assert sqlprepared.statement_sql("SELECT 1") == "SELECT 1"


SLOT_BY_PK = sqlprepared.Prepared(
    lambda pk: Slot.objects.select_related("site", "vaccine").filter(pk=pk).order_by(), sample=(918273600,)
)
BOOKED_BY = sqlprepared.Prepared(
    lambda person_id: Appointment.objects.filter(person_id=person_id).select_related("slot__site").order_by(),
    sample=(918273601,),
)
SLOT_AND_BOOKINGS = sqlprepared.Together(SLOT_BY_PK, BOOKED_BY)


def test_querysets_read_together_give_what_each_gives_alone_in_one_query(
    slot, make_slot, make_appointment, django_assert_num_queries
):
    person = UserFactory()
    other_slot = make_slot(slot.start + timedelta(hours=1))
    booked = [make_appointment(person, slot, status=Appointment.Status.CANCELLED), make_appointment(person, other_slot)]
    make_appointment(UserFactory(), slot)  # someone else's
    SLOT_AND_BOOKINGS.all((other_slot.pk,), (person.pk,))  # compiled on first use

    with django_assert_num_queries(1):
        (found_slot,), bookings = SLOT_AND_BOOKINGS.all((other_slot.pk,), (person.pk,))
        assert found_slot.site.name
        assert found_slot.vaccine.name
        assert {b.slot.site.name for b in bookings} == {found_slot.site.name}

    assert fields(found_slot) == fields(SLOT_BY_PK.get(other_slot.pk))
    assert fields(found_slot.vaccine) == fields(SLOT_BY_PK.get(other_slot.pk).vaccine)
    alone = {b.pk: b for b in BOOKED_BY.all(person.pk)}
    assert sorted(alone) == sorted(b.pk for b in booked)
    for booking in bookings:
        assert fields(booking) == fields(alone[booking.pk])
        assert fields(booking.slot) == fields(alone[booking.pk].slot)
        assert fields(booking.slot.site) == fields(alone[booking.pk].slot.site)
        assert booking.slot.start.tzinfo is not None  # the converters ran on each part's own columns
    # Either part may find nothing.
    assert SLOT_AND_BOOKINGS.all((other_slot.pk,), (person.pk + 1000,)) == ([found_slot], [])
    assert SLOT_AND_BOOKINGS.all((987654,), (person.pk,))[0] == []


def test_querysets_read_together_keep_their_own_order_and_slice(slot, make_slot, make_appointment):
    person = UserFactory()
    made = [make_appointment(person, slot, status=Appointment.Status.CANCELLED) for _ in range(4)]
    latest = latest_of(3, sample=918273602)
    earliest = sqlprepared.Prepared(
        lambda pk: Appointment.objects.filter(person_id=pk).order_by("created_at", "pk"), sample=(918273603,)
    )

    newest, oldest = sqlprepared.Together(latest, earliest).all((person.pk,), (person.pk,))

    assert [a.pk for a in newest] == [a.pk for a in latest.all(person.pk)] == [m.pk for m in made[:0:-1]]
    assert [a.pk for a in oldest] == [m.pk for m in made]
    assert newest[0].get_deferred_fields() >= {"slot_id", "dose_number"}


def test_a_queryset_ordered_by_a_column_it_does_not_select_is_not_read_with_others():
    ordered = sqlprepared.Prepared(
        lambda pk: Appointment.objects.filter(person_id=pk).only("code").order_by("slot__start"), sample=(9191,)
    )

    with pytest.raises(sqlprepared.NotPreparable):
        sqlprepared.Together(SLOT_BY_PK, ordered).all((1,), (2,))
