from django.core.management.base import BaseCommand
from django.utils import timezone

from pagecache import fragments
from vaccination.models import Appointment, Site, day_board


class Command(BaseCommand):
    help = (
        "Mark booked appointments as no-show once their day is over at the clinic. Check-in stays possible "
        "all day, so nothing is marked before the clinic's midnight. Safe to run repeatedly."
    )

    def handle(self, *args, **options):
        marked = 0
        for site in Site.objects.all():
            midnight, _ = site.local_day_bounds(site.today())
            missed = (
                Appointment.objects.booked()
                .filter(slot__site=site, slot__start__lt=midnight)
                .update(status=Appointment.Status.NO_SHOW, updated_at=timezone.now())
            )
            if missed:
                fragments.bump(day_board(site.pk))
            marked += missed
        self.stdout.write(f"{marked} appointments marked as no-show.")
