from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_accounts
from fleet.demo import seed_fleet
from pagecache import fragments
from places.demo import seed_places
from vaccination.demo import demo_seeded, seed_vaccination


class Command(BaseCommand):
    help = "Create the demo data (accounts, and each app's demo records). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DJANGO_DEBUG off. The demo accounts share a published password.",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo data with DJANGO_DEBUG off: the demo accounts have a published "
                "password. Use --force if this really is a demo or test server."
            )
        with transaction.atomic():
            users = seed_accounts()
            seed_fleet(users)
        seed_places()
        seed_vaccination(users)
        # Apps above vaccination (readiness...) answer with their own demo data.
        demo_seeded.send(sender=type(self), users=users)
        fragments.bump_all()  # the demo writes around the models in places
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in with any of these:"))
        width = max(len(email) for email, *_ in DEMO_ACCOUNTS)
        for email, _first, _last, role, superuser in DEMO_ACCOUNTS:
            what = "admin (Django admin)" if superuser else (role.value if role else "Person")
            self.stdout.write(f"  {email:<{width}}  {DEMO_PASSWORD}  {what}")
