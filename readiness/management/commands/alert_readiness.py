from django.core.management.base import BaseCommand

from readiness.alerts import alert_new_risks


class Command(BaseCommand):
    help = (
        "Email fleet managers the mobile clinic days newly at risk in the next 14 days (truck or driver not "
        "ready). Run once a day, just after midnight (cron, Heroku Scheduler); safe to run again."
    )

    def handle(self, *args, **options):
        count = alert_new_risks()
        self.stdout.write(f"{count} clinic days newly at risk alerted.")
