"""pagecache.fragments: the generations that keep cached HTML from going stale."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from pagecache import fragments

pytestmark = pytest.mark.django_db


def test_a_bump_in_a_transaction_is_seen_by_it_at_once_and_by_everyone_at_its_commit(
    django_capture_on_commit_callbacks,
):
    (before,) = fragments.generations("fleet")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        fragments.bump("fleet")
        (during,) = fragments.generations("fleet")
        # Others still read the old token: one replaced before the commit would
        # let them cache the rows as they were under the new one.
        assert fragments.cache.get("fragment:generation:fleet") == before
    (after,) = fragments.generations("fleet")

    assert len({before, during, after}) == 3
    assert fragments.cache.get("fragment:generation:fleet") == after


def test_a_transaction_rolled_back_bumps_nothing(django_capture_on_commit_callbacks):
    (before,) = fragments.generations("fleet")

    def change_then_fail():
        with transaction.atomic():
            fragments.bump("fleet")
            fragments.bump_at_most_every(2, "seats")
            raise RuntimeError("changed my mind")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        change_then_fail()

    assert fragments.generations("fleet") == [before]
    assert fragments.cache.get("fragment:bumped-recently:seats") is None
    # What it owed is gone too: the next transaction reads the shared token.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert fragments.generations("fleet") == [before]


def test_a_savepoint_rolled_back_leaves_the_transactions_earlier_bumps_owed(django_capture_on_commit_callbacks):
    (before,) = fragments.generations("fleet")

    def inner_change_that_fails():
        with transaction.atomic():
            fragments.bump("seats")
            raise RuntimeError("the inner part failed")

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        fragments.bump("fleet")
        with pytest.raises(RuntimeError):
            inner_change_that_fails()
        assert fragments.generations("fleet") != [before]  # still its own change

    assert fragments.cache.get("fragment:generation:fleet") not in (None, before)


def test_every_bump_a_transaction_owes_goes_to_the_cache_at_once_at_its_commit(
    monkeypatch, django_capture_on_commit_callbacks
):
    sent = []

    def set_many_add_and_get_many(values, adds, keys):
        sent.append((sorted(values), sorted(adds)))
        fragments.cache.set_many(values, timeout=None)
        added = {key for key in adds if fragments.cache.add(key, 1, timeout=adds[key])}
        return added, fragments.cache.get_many(keys), {key: adds[key] for key in added}

    monkeypatch.setattr(fragments.cache, "set_many_add_and_get_many", set_many_add_and_get_many, raising=False)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        fragments.bump("fleet")
        fragments.bump("board-1", "fleet")
        fragments.bump_at_most_every(2, "seats")
        assert sent == []

    assert sent[0] == (
        ["fragment:generation:board-1", "fragment:generation:fleet"],
        ["fragment:bumped-recently:seats"],
    )
    # The window was open, so the seats were bumped too, in a second round trip.
    assert sent[1:] == [(["fragment:generation:seats"], [])]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # no transaction, as at the desk's check-in
def test_bumps_in_a_block_go_with_its_first_read_of_generations_in_one_round_trip(monkeypatch):
    """The desk's check-in bumps its clinic's day board, then its answer reads
    the generations of its parts: one round trip to the cache for both, the
    writes ahead of the reads, so the read sees the bump."""
    calls = []

    def set_many_add_and_get_many(values, adds, keys):
        calls.append((sorted(values), sorted(adds), list(keys)))
        fragments.cache.set_many(values, timeout=None)
        return set(), fragments.cache.get_many(keys), {}

    (before,) = fragments.generations("board-1")
    monkeypatch.setattr(fragments.cache, "set_many_add_and_get_many", set_many_add_and_get_many, raising=False)
    with fragments.together():
        fragments.bump("board-1")
        board, fleet = fragments.generations("board-1", "fleet")
        assert fragments.generations("board-1") == [board]  # sent: not owed any more

    assert calls == [
        (["fragment:generation:board-1"], [], ["fragment:generation:board-1", "fragment:generation:fleet"])
    ]
    assert board not in (None, before)
    assert fragments.cache.get("fragment:generation:board-1") == board
    assert fragments.cache.get("fragment:generation:fleet") == fleet


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # no transaction, as at the desk's check-in
def test_bumps_in_a_block_that_reads_nothing_go_at_its_end():
    (before,) = fragments.generations("board-1")
    with fragments.together():
        fragments.bump("board-1")
        assert fragments.cache.get("fragment:generation:board-1") == before

    assert fragments.cache.get("fragment:generation:board-1") not in (None, before)


def test_a_forgotten_generation_is_drawn_anew_so_no_old_copy_is_reachable():
    key = fragments.fragment_key("test", ("fleet",))
    fragments.cache.delete("fragment:generation:fleet")

    assert fragments.fragment_key("test", ("fleet",)) != key


def test_the_language_is_part_of_every_key():
    with translation.override("en"):
        english = fragments.fragment_key("test", ("fleet",))
    with translation.override("es"):
        spanish = fragments.fragment_key("test", ("fleet",))

    assert english != spanish


def test_a_rate_limited_bump_bumps_once_per_window(django_capture_on_commit_callbacks):
    def bump_and_commit():
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            fragments.bump_at_most_every(2, "seats")
        return fragments.generations("seats")[0]

    (first,) = fragments.generations("seats")
    second = bump_and_commit()
    third = bump_and_commit()

    assert first != second
    assert third == second


def test_clear_page_cache_makes_every_cached_fragment_unreachable():
    key = fragments.fragment_key("test", ("fleet",))

    call_command("clear_page_cache", stdout=io.StringIO())

    assert fragments.fragment_key("test", ("fleet",)) != key


def test_the_code_version_is_part_of_every_key(monkeypatch):
    key = fragments.fragment_key("test", ("fleet",))

    monkeypatch.setattr(fragments, "code_version", lambda: "another release")

    assert fragments.fragment_key("test", ("fleet",)) != key


@pytest.mark.parametrize(("debug", "renders"), [(False, 1), (True, 2)])
def test_a_fragment_is_rendered_once_but_every_time_with_debug_on(settings, debug, renders):
    """make run runs with debug on: an edited template must show at once."""
    settings.DEBUG = debug
    calls = []

    def render():
        calls.append(1)
        return "<p>rows</p>"

    for _ in range(2):
        assert fragments.cached_html("test", ("fleet",), ("query",), render) == "<p>rows</p>"

    assert len(calls) == renders


def test_a_page_part_is_read_from_this_process_memory_until_its_data_changes(monkeypatch):
    drawn = []

    def draw():
        drawn.append(1)
        return ["a fresh list"]

    first = fragments.cached_value("test-kept", ("fleet",), (), draw)
    first.append("changed by its reader")
    # The shared cache is asked for the generations only: the copy in this process serves.
    key = fragments.fragment_key("test-kept", ("fleet",))
    shared_get = fragments.cache.get

    def get(asked, *args, **kwargs):
        assert asked != key, "asked the shared cache for the part"
        return shared_get(asked, *args, **kwargs)

    monkeypatch.setattr(fragments.cache, "get", get)
    second = fragments.cached_value("test-kept", ("fleet",), (), draw)

    assert second == ["a fresh list"]  # each reader gets its own copy
    assert len(drawn) == 1
    monkeypatch.undo()
    fragments.bump("fleet")
    assert fragments.cached_value("test-kept", ("fleet",), (), draw) == ["a fresh list"]
    assert len(drawn) == 2


def test_a_kept_page_part_lives_no_longer_than_its_timeout(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(fragments, "_clock", lambda: now[0])
    drawn = []

    def draw():
        drawn.append(1)
        return f"drawing {len(drawn)}"

    assert fragments.cached_value("test-short", ("seats",), (), draw, timeout=5) == "drawing 1"
    key = fragments.fragment_key("test-short", ("seats",))
    now[0] += 4
    fragments.cache.delete(key)  # as if the shared cache had let it expire too
    assert fragments.cached_value("test-short", ("seats",), (), draw, timeout=5) == "drawing 1"
    now[0] += 2
    fragments.cache.delete(key)
    assert fragments.cached_value("test-short", ("seats",), (), draw, timeout=5) == "drawing 2"


def test_the_memory_kept_is_bounded(monkeypatch):
    monkeypatch.setattr(fragments, "LOCAL_BYTES", 64 * 1024)
    for n in range(40):
        fragments.cached_value("test-big", ("fleet",), (n,), lambda n=n: "x" * 4000 + str(n))

    assert fragments._local_size <= 64 * 1024
    assert len(fragments._local) < 40
