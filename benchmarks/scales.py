"""The bench scales, readable without Django (tools/bench/run.py imports it)."""

# Bump when the shape of the bench data changes: tools/bench/run.py then rebuilds
# the scale's database instead of measuring stale data.
DATA_VERSION = 5

SCALES = {
    "small": {"drivers": 1_000, "appointments": 10_000},
    "large": {"drivers": 100_000, "appointments": 1_000_000},
}
