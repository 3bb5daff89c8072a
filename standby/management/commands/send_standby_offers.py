from django.core.management.base import BaseCommand

from standby.services import refresh_offers


class Command(BaseCommand):
    help = (
        "Expire spare-dose offers past their time and send the next ones; offer seats freed today. "
        "Run every minute (cron, or the worker's beat once it exists)."
    )

    def handle(self, *args, **options):
        counts = refresh_offers()
        self.stdout.write(f"{counts['expired']} offers expired, {counts['sent']} sent")
