"""The campaign's daily job (settings.CELERY_BEAT_SCHEDULE): yesterday's doses
as CSV and FHIR in the configured export storage."""

from celery import shared_task
from django.core.management import call_command


@shared_task(name="campaign.export_campaign_doses", ignore_result=True)
def export_campaign_doses() -> None:
    call_command("export_campaign_doses")
