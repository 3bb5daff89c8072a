from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from campaign.exports import write_daily_export


class Command(BaseCommand):
    help = (
        "Write yesterday's doses (or --day's), pseudonymous, as CSV and as a FHIR R4 Bundle to the "
        "campaign_exports storage (CAMPAIGN_EXPORT_DIR by default). Run it daily from the scheduler; "
        "running it twice for a day replaces that day's files."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", help="The local day to export, YYYY-MM-DD (default: yesterday).")

    def handle(self, *args, day=None, **options):
        if day:
            try:
                chosen = date.fromisoformat(day)
            except ValueError as error:
                raise CommandError(f"--day must be a date like 2026-12-01: {error}") from None
        else:
            chosen = timezone.localdate() - timedelta(days=1)
        for name in write_daily_export(day=chosen):
            self.stdout.write(f"wrote {name}")
