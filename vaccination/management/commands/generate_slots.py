from datetime import date, time

from django.core.management.base import BaseCommand, CommandError

from vaccination.models import Site, Slot, Vaccine


class Command(BaseCommand):
    help = "Create bookable slots at a clinic in its local time. Skips slots that exist, so it is safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True, help="Clinic name or id.")
        parser.add_argument("--vaccine", required=True, help="Vaccine name or id.")
        parser.add_argument("--from", dest="first_day", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="last_day", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--opens", default=time(9), type=time.fromisoformat, help="HH:MM (default 09:00)")
        parser.add_argument("--closes", default=time(17), type=time.fromisoformat, help="HH:MM (default 17:00)")
        parser.add_argument("--minutes", default=15, type=int, help="Slot length (default 15)")
        parser.add_argument("--capacity", default=4, type=int, help="Seats per slot (default 4)")
        parser.add_argument("--weekdays-only", action="store_true", help="Skip Saturdays and Sundays.")

    def handle(self, *args, site, vaccine, first_day, last_day, opens, closes, minutes, capacity, weekdays_only, **o):
        site = self._get(Site, site)
        vaccine = self._get(Vaccine, vaccine)
        if last_day < first_day:
            raise CommandError("--to must not be before --from.")
        if closes <= opens:
            raise CommandError("--closes must be after --opens.")
        if minutes < 1 or capacity < 1:
            raise CommandError("--minutes and --capacity must be at least 1.")
        created = Slot.objects.generate(
            site=site,
            vaccine=vaccine,
            first_day=first_day,
            last_day=last_day,
            opens=opens,
            closes=closes,
            minutes=minutes,
            capacity=capacity,
            weekdays=range(5) if weekdays_only else None,
        )
        self.stdout.write(self.style.SUCCESS(f"{created} slots created at {site}."))

    def _get(self, model, value):
        lookup = {"pk": int(value)} if value.isdigit() else {"name__iexact": value}
        try:
            return model.objects.get(**lookup)
        except model.DoesNotExist:
            raise CommandError(f"No {model._meta.verbose_name} {value!r}.") from None
