from django.core.management.base import BaseCommand

from vaccination.holds import release_expired_holds


class Command(BaseCommand):
    help = (
        "Give back the seats held for visitors confirming their email once the hold has run out "
        "(settings.SEAT_HOLD_MINUTES). Safe to run repeatedly, e.g. every minute."
    )

    def handle(self, *args, **options):
        released = release_expired_holds()
        self.stdout.write(f"{released} seat holds released.")
