"""The demo's place table: made-up towns around the demo clinics, in the
format of a real postal-code file (docs/places.md). No real addresses."""

from pathlib import Path

from places.loading import read_places, replace_places

SAMPLE_FILE = Path(__file__).resolve().parent / "data" / "sample_places.txt"


def seed_places() -> None:
    """Load the sample file (replacing the places of its country). Idempotent."""
    with SAMPLE_FILE.open(encoding="utf-8", newline="") as file:
        places, _problems = read_places(file)
    replace_places(places)
