"""pagecache.fragments.snapshot: one read of the generations for a page drawn
from several fragments, never a stale fragment after the page's own change."""

from django.core.cache import cache
from django.test import override_settings

from pagecache import fragments


@override_settings(DEBUG=False)
def test_a_snapshot_reads_each_generation_once_and_sees_its_own_bump(monkeypatch):
    reads = []
    real_get_many = cache.get_many
    monkeypatch.setattr(
        cache, "get_many", lambda keys, *a, **k: reads.append(list(keys)) or real_get_many(keys, *a, **k)
    )
    drawn = []

    def draw(label):
        return lambda: drawn.append(label) or f"{label} {len(drawn)}"

    with fragments.snapshot():
        first = fragments.generations("a", "b")
        assert fragments.generations("b", "a") == first[::-1]
        assert fragments.cached_html("snap-one", ("a",), (), draw("one")) == "one 1"
        assert fragments.cached_html("snap-two", ("a", "b"), (), draw("two")) == "two 2"
        generation_reads = [keys for keys in reads if any(":generation:" in key for key in keys)]
        assert generation_reads == [
            [fragments._generation_key("a"), fragments._generation_key("b")],
            [fragments._generation_key(fragments.EVERYTHING)],
        ]

        fragments.bump("a")  # the request changed "a": its fragments are drawn anew
        assert fragments.generations("a")[0] != first[0]
        assert fragments.cached_html("snap-one", ("a",), (), draw("one")) == "one 3"

    # Outside, every read goes to the cache again, and sees the bump too.
    assert fragments.generations("a")[0] != first[0]
    assert fragments.cached_html("snap-one", ("a",), (), draw("one")) == "one 3"


@override_settings(DEBUG=False)
def test_a_bump_by_another_process_shows_on_the_next_snapshot():
    with fragments.snapshot():
        before = fragments.generations("c")
    cache.set(fragments._generation_key("c"), "changed elsewhere", timeout=None)
    with fragments.snapshot():
        assert fragments.generations("c") == ["changed elsewhere"] != before


@override_settings(DEBUG=False)
def test_a_cached_none_or_false_is_a_value_not_a_miss():
    """ "No lots kept here" (None) and "asks no question" (False) are answers
    too: kept like any other, not worked out again on every request."""
    computed = []
    for answer in (None, False):
        for _look in range(3):
            assert (
                fragments.cached_value(f"answer-{answer}", ("a",), (), lambda a=answer: computed.append(a) or a)
                is answer
            )
    assert computed == [None, False]
