from django.core.management.base import BaseCommand

from vaccination.models import NO_SHOW_GRACE
from vaccination.services import mark_no_shows


class Command(BaseCommand):
    help = (
        "Mark booked appointments as no-show once their slot ended more than "
        f"{int(NO_SHOW_GRACE.total_seconds() // 60)} minutes ago (until then the desk may still check the "
        "person in, across midnight too). Safe to run repeatedly, e.g. every few minutes."
    )

    def handle(self, *args, **options):
        marked = mark_no_shows()
        self.stdout.write(f"{marked} appointments marked as no-show.")
