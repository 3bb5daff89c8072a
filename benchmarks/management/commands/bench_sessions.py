import json

from django.core.management.base import BaseCommand

from benchmarks import fixture
from pagecache import fragments


class Command(BaseCommand):
    help = (
        "Prepare one make bench run and print it as JSON: signed-in sessions (demo accounts, a bench person), "
        "the ids of the measured records, today's desk with codes to scan, seats to book and a contended slot. "
        "Deletes what the previous run made. For make bench only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--desk-users", type=int, default=40)
        parser.add_argument("--check-ins", type=int, default=6000)
        parser.add_argument("--bookers", type=int, default=3000)
        parser.add_argument("--racers", type=int, default=200)
        parser.add_argument("--signers", type=int, default=20)

    def handle(self, *args, desk_users, check_ins, bookers, racers, signers, **options):
        data = fixture.build(
            desk_users=desk_users, check_ins=check_ins, bookers=bookers, racers=racers, signers=signers
        )
        fragments.bump_all()  # the fixture writes in bulk
        self.stdout.write(json.dumps(data))
