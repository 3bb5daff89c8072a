from datetime import date, time

from django.core.management.base import BaseCommand, CommandError

from vaccination.models import Site, Vaccine
from vaccination.timetable import (
    MAX_CAPACITY,
    MAX_DAYS,
    MAX_MINUTES,
    TimetableError,
    check_run,
    generate_slots,
    single_period,
)

# The command names its options; the set-up pages say the same refusals in
# their own words (vaccination.errors.TIMETABLE_ERRORS).
REFUSALS = {
    "range_reversed": "--to must not be before --from.",
    "range_too_long": f"--from to --to covers at most {MAX_DAYS} days.",
    "closes_before_opens": "--closes must be after --opens.",
    "minutes_out_of_range": f"--minutes must be between 1 and {MAX_MINUTES}.",
    "capacity_out_of_range": f"--capacity must be between 1 and {MAX_CAPACITY}.",
}


class Command(BaseCommand):
    help = (
        "Create bookable slots at a clinic in its local time. Slots that exist are left as they are, so it is "
        "safe to run again; a slot that would overlap an existing one stops the run before anything is created."
    )

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True, help="Clinic name or id.")
        parser.add_argument("--vaccine", required=True, help="Vaccine name or id.")
        parser.add_argument("--from", dest="first_day", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="last_day", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--opens", default=time(9), type=time.fromisoformat, help="HH:MM (default 09:00)")
        parser.add_argument("--closes", default=time(17), type=time.fromisoformat, help="HH:MM (default 17:00)")
        parser.add_argument("--minutes", default=15, type=int, help="Slot length (default 15)")
        parser.add_argument("--capacity", default=4, type=int, help=f"Seats per slot, 1 to {MAX_CAPACITY} (default 4)")
        parser.add_argument("--weekdays-only", action="store_true", help="Skip Saturdays and Sundays.")

    def handle(self, *args, site, vaccine, first_day, last_day, opens, closes, minutes, capacity, weekdays_only, **o):
        site = self._get(Site, site)
        vaccine = self._get(Vaccine, vaccine)
        hours = single_period(opens=opens, closes=closes, weekdays=range(5) if weekdays_only else None)
        try:
            # The rules first, then the warnings, then the run (which checks the rules again).
            check_run(first_day=first_day, last_day=last_day, minutes=minutes, capacity=capacity, hours=hours)
            self._warn(site, first_day, last_day)
            run = generate_slots(
                site=site,
                vaccine=vaccine,
                first_day=first_day,
                last_day=last_day,
                minutes=minutes,
                capacity=capacity,
                hours=hours,
            )
        except TimetableError as error:
            raise CommandError(self._refusal(error, site)) from None
        for day in run.clock_change_days:
            self.stdout.write(
                f"{day}: the clocks change during opening hours at {site}; slots follow real time, so none "
                "starts at a time that does not exist there and each lasts its length."
            )
        summary = f"{run.created} slots created at {site}, {run.already_there} already there"
        if run.other_capacity:
            summary += f" ({run.other_capacity} with another capacity, left as it was: change them in the admin)"
        self.stdout.write(self.style.SUCCESS(summary + "."))

    def _warn(self, site, first_day, last_day):
        today = site.today()
        if not site.is_active:
            self.stderr.write(self.style.WARNING(f"Warning: {site} is inactive; its slots take no bookings."))
        if last_day < today:
            self.stderr.write(self.style.WARNING("Warning: every day is in the past; these slots can never be booked."))
        elif first_day < today:
            self.stderr.write(self.style.WARNING(f"Warning: the days before {today} are past and cannot be booked."))

    def _refusal(self, error, site):
        if error.code == "slot_overlap":
            clash = error.details["clash"]
            return (
                f"Nothing was created: the slot {_when(clash.start, clash.end, site)} would overlap the existing "
                f"slot {_when(clash.existing_start, clash.existing_end, site)} at {site}. Use the opening times "
                "and slot length of the earlier run, or other days."
            )
        return REFUSALS[error.code]

    def _get(self, model, value):
        lookup = {"pk": int(value)} if value.isdigit() else {"name__iexact": value}
        try:
            return model.objects.get(**lookup)
        except model.DoesNotExist:
            raise CommandError(f"No {model._meta.verbose_name} {value!r}.") from None


def _when(start, end, site):
    start, end = start.astimezone(site.tzinfo), end.astimezone(site.tzinfo)
    return f"{start:%Y-%m-%d %H:%M}-{end:%H:%M}"
