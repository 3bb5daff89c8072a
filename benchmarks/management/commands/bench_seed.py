from django.core.management.base import BaseCommand, CommandError

from benchmarks import seeding
from benchmarks.scales import SCALES
from pagecache import fragments


class Command(BaseCommand):
    help = (
        "Load the bench data of a scale (small: 1,000 drivers and 10,000 appointments; large: 100,000 and "
        "1,000,000) beside the demo data, once: a second run finds it and loads nothing. For make bench only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), required=True)
        parser.add_argument("--drivers", type=int, help="override the scale's number of drivers")
        parser.add_argument("--appointments", type=int, help="override the scale's number of appointments")

    def handle(self, *args, scale, drivers=None, appointments=None, **options):
        numbers = SCALES[scale]
        try:
            seeding.seed(
                scale=scale,
                drivers=drivers if drivers is not None else numbers["drivers"],
                appointments=appointments if appointments is not None else numbers["appointments"],
                log=self.stdout.write,
            )
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        fragments.bump_all()  # COPY writes around the models: no signal saw it
