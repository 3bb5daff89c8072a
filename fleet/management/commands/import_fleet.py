"""Import drivers and trucks from CSV files (e.g. the old register's export).

    python manage.py import_fleet drivers.csv trucks.csv [--dry-run]

Each file's kind is told by its header: a `licence_number` column means
drivers, a `code` column trucks. Rows are matched to existing records by
licence number or truck code (any letter case), so running an import twice
changes nothing the second time. A file is all-or-nothing: every row is
validated first, each rejected row is reported with its line number and
reason, and a file with any rejected row imports nothing.
"""

import csv
import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

import audit
from fleet.models import Client, Driver, Truck, TruckStatus, normalize_identifier

DRIVER_COLUMNS = {"licence_number", "first_name", "last_name", "licence_expiry"}
TRUCK_COLUMNS = {"code", "plate", "make", "model", "year"}
TRUE, FALSE = {"yes", "y", "true", "1", "active"}, {"no", "n", "false", "0", "inactive"}
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class RowError(Exception):
    pass


@dataclass
class FileResult:
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _date(value, column, required=False):
    value = value.strip()
    if not value:
        if required:
            raise RowError(f"{column} is required")
        return None
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, date_format).date()
        except ValueError:
            continue
    raise RowError(f"{column} {value!r} is not a date (use YYYY-MM-DD)")


def _flag(value, column):
    value = value.strip().lower()
    if value == "":
        return True
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise RowError(f"{column} {value!r} must be yes or no")


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Import drivers and/or trucks from CSV files; idempotent, all-or-nothing per file."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, help="CSV files with a header row (drivers or trucks).")
        parser.add_argument("--dry-run", action="store_true", help="Validate and report, but save nothing.")

    def handle(self, *args, files, dry_run=False, **options):
        plans = []
        for path in files:
            try:
                with path.open(newline="", encoding="utf-8-sig") as handle:
                    reader = csv.DictReader(handle)
                    # line_num after a row is read: the file line it ends on,
                    # right even when a quoted address spans several lines.
                    rows = [(reader.line_num, row) for row in reader]
                    header = {(name or "").strip() for name in reader.fieldnames or []}
            except (OSError, UnicodeDecodeError, csv.Error) as error:
                raise CommandError(f"{path}: cannot read it as a UTF-8 CSV file ({error}).") from error
            if header >= DRIVER_COLUMNS:
                plans.append((path, "drivers", rows))
            elif header >= TRUCK_COLUMNS:
                plans.append((path, "trucks", rows))
            else:
                raise CommandError(
                    f"{path}: the header must hold either the driver columns ({', '.join(sorted(DRIVER_COLUMNS))}) "
                    f"or the truck columns ({', '.join(sorted(TRUCK_COLUMNS))})."
                )
        # Trucks first, so a run's summary reads in the order a register is built.
        plans.sort(key=lambda plan: plan[1] != "trucks")

        rejected = 0
        for path, kind, rows in plans:
            result = self.import_file(kind, rows, dry_run=dry_run)
            if result.errors:
                rejected += 1
                for line, reason in result.errors:
                    self.stderr.write(f"{path} line {line}: {reason}")
                self.stderr.write(
                    self.style.ERROR(f"{path}: rejected, nothing imported ({len(result.errors)} rows with errors).")
                )
            else:
                verb = "would be" if dry_run else "were"
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{path}: {result.created} {kind} {verb} created, {result.updated} updated, "
                        f"{result.unchanged} unchanged."
                    )
                )
        if rejected:
            raise CommandError(f"{rejected} of {len(plans)} files rejected; fix the rows listed above and run again.")

    def import_file(self, kind, rows, *, dry_run):
        result = FileResult(kind)
        build = self.build_driver if kind == "drivers" else self.build_truck
        model, key_field = (Driver, "licence_number") if kind == "drivers" else (Truck, "code")
        keys = [normalize_identifier(row.get(key_field) or "") for _line, row in rows]
        existing = {
            getattr(instance, key_field): instance
            for instance in model.objects.filter(
                **{f"{key_field}__in": [key for key in keys if key and "\x00" not in key]}
            )
        }
        clients = {client.name.casefold(): client for client in Client.objects.all()} if kind == "drivers" else {}
        seen = {}
        planned = []
        for (line, row), key in zip(rows, keys, strict=True):
            row = {(name or "").strip(): (value or "") for name, value in row.items()}
            try:
                if any("\x00" in str(value) for value in row.values()):
                    # PostgreSQL cannot store it, and no register exports it: not a text file.
                    raise RowError("contains a NUL byte")
                if not key:
                    raise RowError(f"{key_field} is required")
                if key in seen:
                    raise RowError(f"{key_field} {key} appears twice in this file (first on line {seen[key]})")
                seen[key] = line
                instance = existing.get(key) or model(**{key_field: key})
                before = self.snapshot(instance)
                build(instance, row, clients)
                instance.full_clean()
            except RowError as error:
                result.errors.append((line, str(error)))
                continue
            except ValidationError as error:
                result.errors.append((line, _messages(error)))
                continue
            if instance.pk is None:
                result.created += 1
            elif self.snapshot(instance) != before:
                result.updated += 1
            else:
                result.unchanged += 1
                continue
            planned.append((line, instance))
        self.check_unique_within_file(kind, planned, result)
        if result.errors or dry_run:
            return result
        try:
            with transaction.atomic():
                for _line, instance in planned:
                    created = instance.pk is None
                    instance.save()
                    # No request here: the event has no actor or IP, only its source.
                    audit.record(
                        f"{instance._meta.model_name}_{'create' if created else 'update'}",
                        target=instance,
                        data={"source": "import_fleet"},
                    )
        except IntegrityError as error:
            result.errors.append((0, f"the database refused the file ({error}); nothing was imported"))
        return result

    @staticmethod
    def snapshot(instance):
        return {
            field.attname: getattr(instance, field.attname)
            for field in instance._meta.concrete_fields
            if field.editable and not field.primary_key
        }

    @staticmethod
    def check_unique_within_file(kind, planned, result):
        """Two new rows with the same plate (or email-less duplicates) pass
        full_clean one by one; catch them before the database does."""
        if kind != "trucks":
            return
        plates = {}
        for line, truck in planned:
            if truck.plate in plates:
                result.errors.append(
                    (line, f"plate {truck.plate} appears twice in this file (first on line {plates[truck.plate]})")
                )
            plates.setdefault(truck.plate, line)

    @staticmethod
    def build_driver(driver, row, clients):
        driver.first_name = row["first_name"].strip()
        driver.last_name = row["last_name"].strip()
        driver.licence_expiry = _date(row["licence_expiry"], "licence_expiry", required=True)
        if "phone" in row:
            driver.phone = row["phone"].strip()
        if "email" in row:
            driver.email = row["email"].strip().lower()
        if "date_of_birth" in row:
            driver.date_of_birth = _date(row["date_of_birth"], "date_of_birth")
        if "address" in row:
            driver.address = row["address"].strip()
        if "active" in row:
            driver.is_active = _flag(row["active"], "active")
        if "client" in row:
            name = row["client"].strip()
            if name and name.casefold() not in clients:
                raise RowError(f"no client company is called {name!r}; add it in the admin first")
            driver.client = clients.get(name.casefold()) if name else None

    @staticmethod
    def build_truck(truck, row, clients):
        truck.plate = normalize_identifier(row["plate"])
        truck.make = row["make"].strip()
        truck.model = row["model"].strip()
        year = row["year"].strip()
        if not year.isdigit():
            raise RowError(f"year {year!r} must be a number like 2021")
        truck.year = int(year)
        if "status" in row and row["status"].strip():
            status = row["status"].strip().lower()
            if status not in TruckStatus.values:
                raise RowError(f"status {status!r} must be one of {', '.join(TruckStatus.values)}")
            truck.status = status
