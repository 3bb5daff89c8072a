"""List the stored values that were not phone numbers when phones became
E.164 (accounts.phones): every model with a PhoneNumberField and its
`<field>_unparsed` column (people, drivers, client contacts), without importing
the apps that own them. `--retry` reads them again with the current
PHONENUMBER_DEFAULT_REGION and puts back those that now are numbers."""

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from phonenumber_field.modelfields import PhoneNumberField

from accounts import phones


def phone_columns():
    """(model, phone field name, note field name) for every kept phone."""
    for model in apps.get_models():
        names = {field.name for field in model._meta.get_fields()}
        for field in model._meta.get_fields():
            if isinstance(field, PhoneNumberField) and f"{field.name}_unparsed" in names:
                yield model, field.name, f"{field.name}_unparsed"


class Command(BaseCommand):
    help = "List stored phone values that are not valid numbers (kept in *_unparsed); --retry re-reads them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry",
            action="store_true",
            help="Read the kept values again with PHONENUMBER_DEFAULT_REGION; restore those that now parse.",
        )

    def handle(self, *args, retry=False, **options):
        total = 0
        for model, field, note in phone_columns():
            label = f"{model._meta.app_label}.{model.__name__}"
            if retry:
                fixed = phones.retry_notes(model.objects.all(), field=field, note=note)
                if fixed:
                    self.stdout.write(f"{label}.{field}: {len(fixed)} read as numbers now (ids {_ids(fixed)})")
            rows = list(model.objects.exclude(**{note: ""}).order_by("pk").values_list("pk", note))
            for pk, kept in rows:
                self.stdout.write(f"{label} id {pk}: {field} {kept!r} is not a valid phone number")
            total += len(rows)
        region = settings.PHONENUMBER_DEFAULT_REGION or "none (numbers need their +country code)"
        if total:
            self.stdout.write(
                f"{total} value(s) to fix in the admin (default region: {region}); "
                "empty the 'as first entered' field once the number is right."
            )
        else:
            self.stdout.write(f"No bad phone numbers (default region: {region}).")


def _ids(pks):
    return ", ".join(str(pk) for pk in pks)
