"""What an attacker types: hypothesis strategies for form fields and query parameters."""

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Any Unicode a browser can send (UTF-8: no lone surrogates), NUL bytes,
# control and bidi characters, emoji and full-width digits included.
UNICODE = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)

NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "%00",
        "-1",
        "0",
        "9" * 40,
        "-" + "9" * 40,
        "1e309",
        "NaN",
        "inf",
        "0x1F",
        "2026-02-30",
        "9999-12-31",
        "0001-01-01",
        "31/12/99999",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "{{ request }}",
        "../../etc/passwd",
        "\u202eevil",
        "😷" * 60,
        "\uff11\uff12\uff13",  # full-width digits
        "x" * 100_000,
        "TRK-0042\x00",
    ]
)

INTEGERS = st.integers(min_value=-(10**40), max_value=10**40).map(str)

# One value, or the same parameter sent several times (a list, where one is expected).
GARBAGE = st.one_of(UNICODE, NASTY, INTEGERS, st.lists(st.one_of(UNICODE, NASTY), min_size=2, max_size=3))


def params(*names):
    """A dict of some of `names` with garbage values."""
    return st.fixed_dictionaries({}, optional=dict.fromkeys(names, GARBAGE))


fuzz = settings(
    # A deeper search when hunting: VAXFLEET_FUZZ_EXAMPLES=1000 make test.
    max_examples=int(os.environ.get("VAXFLEET_FUZZ_EXAMPLES", "60")),
    deadline=None,
    # One signed-in client serves every example; the database only grows.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
