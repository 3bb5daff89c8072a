"""Load the place table from an open-data postal-code file (docs/places.md)."""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from places.loading import read_places, replace_places

# Bad rows are counted; this many are named, with their line numbers.
SHOWN_PROBLEMS = 20


class Command(BaseCommand):
    help = (
        "Load towns and postcodes with their coordinates from a GeoNames-style postal-code file "
        "(tab-separated; see docs/places.md). Replaces the places of each country the file holds; "
        "bad rows are reported and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The file, UTF-8, tab-separated (e.g. ES.txt from GeoNames).")

    def handle(self, *args, path, **options):
        try:
            with Path(path).open(encoding="utf-8", newline="") as file:
                places, problems = read_places(file)
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        if not places:
            raise CommandError(f"No usable row in {path}; nothing was changed.")
        countries = sorted({place.country for place in places})
        removed = replace_places(places)
        for problem in problems[:SHOWN_PROBLEMS]:
            self.stderr.write(problem)
        if len(problems) > SHOWN_PROBLEMS:
            self.stderr.write(f"... and {len(problems) - SHOWN_PROBLEMS} more bad rows.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {len(places)} places for {', '.join(countries)} (replacing {removed}); "
                f"skipped {len(problems)} bad rows."
            )
        )
