"""pagecache.fragments: the generations that keep cached HTML from going stale."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from pagecache import fragments

pytestmark = pytest.mark.django_db


def test_a_bump_in_a_transaction_changes_the_generation_at_once_and_again_at_commit(
    django_capture_on_commit_callbacks,
):
    (before,) = fragments.generations("fleet")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        fragments.bump("fleet")
        (during,) = fragments.generations("fleet")
    (after,) = fragments.generations("fleet")

    assert len({before, during, after}) == 3


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


def test_a_rate_limited_bump_bumps_once_per_window():
    (first,) = fragments.generations("seats")
    fragments.bump_at_most_every(2, "seats")
    (second,) = fragments.generations("seats")
    fragments.bump_at_most_every(2, "seats")
    (third,) = fragments.generations("seats")

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
