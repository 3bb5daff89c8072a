"""The doses given, as CSV and as a FHIR R4 Bundle of Immunization resources.

Both are generators of text chunks, so a view streams them and the daily
export writes them to storage without ever holding the whole file: rows come
from a server-side cursor (`iterator`) as tuples, never as model instances.

A person appears under a pseudonym: an HMAC of their id with a key derived
from SECRET_KEY, stable across exports (public health can follow a person's
dose 1 to dose 2) and useless without the key. Names, emails and phone numbers
are added only when asked for; the view audits that.
"""

import json
import tempfile
import uuid
from datetime import date

from django.core.files import File
from django.core.files.storage import storages
from django.utils.crypto import salted_hmac

from campaign.figures import Filters, doses_in
from spreadsheet import line_writer, safe_cell

PSEUDONYM_SALT = "vaxfleet.campaign.person-pseudonym"
PSEUDONYM_SYSTEM = "urn:vaxfleet:person-pseudonym"
CHUNK = 2000
DOSE_NAMESPACE = uuid.UUID("6f1c2b9e-4d1a-5b7e-9a43-2c5d7e8f9a10")
AGE_BANDS = [(0, "0-11"), (12, "12-17"), (18, "18-29"), (30, "30-49"), (50, "50-64"), (65, "65-79"), (80, "80+")]

HEADER = ["date", "clinic", "vaccine", "lot", "dose_number", "age_band", "person_id"]
PERSONAL_HEADER = ["first_name", "last_name", "email", "phone"]


def pseudonym(person_id: int) -> str:
    return salted_hmac(PSEUDONYM_SALT, str(person_id), algorithm="sha256").hexdigest()[:24]


def age_band(born: date | None, on: date) -> str:
    if born is None:
        return ""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    band = ""
    for lowest, name in AGE_BANDS:
        if age >= lowest:
            band = name
    return band


# Cells a spreadsheet would run as a formula (OWASP's CSV injection list), phone
# numbers included: "+1-1" looks like one and evaluates to 0 (as fleet's export).
FIELDS = (
    "pk",
    "day",
    "dose_given_at",
    "slot__site__name",
    "slot__site_id",
    "slot__vaccine__name",
    "vaccine_lot",
    "dose_number",
    "person_id",
    "person__date_of_birth",
)
PERSONAL_FIELDS = ("person__first_name", "person__last_name", "person__email", "person__phone")


def dose_rows(filters: Filters, *, personal: bool):
    """One tuple per dose, oldest first, streamed from the database."""
    fields = FIELDS + (PERSONAL_FIELDS if personal else ())
    doses = doses_in(filters).order_by("dose_given_at", "pk").values_list(*fields)
    return doses.iterator(chunk_size=CHUNK)


def csv_chunks(filters: Filters, *, personal: bool):
    writer = line_writer()
    yield writer.writerow(HEADER + (PERSONAL_HEADER if personal else []))
    lines = []
    for row in dose_rows(filters, personal=personal):
        _pk, day, _at, site, _site_id, vaccine, lot, dose, person_id, born = row[:10]
        cells = [day.isoformat(), site, vaccine, lot, dose, age_band(born, day), pseudonym(person_id)]
        cells.extend(str(value) if value else "" for value in row[10:])
        lines.append(writer.writerow([safe_cell(value) for value in cells]))
        # One chunk per hundred rows: fewer, larger writes to the socket.
        if len(lines) == 100:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def immunization(row, *, personal: bool) -> dict:
    pk, _day, given_at, site, site_id, vaccine, lot, dose, person_id, _born = row[:10]
    patient = {
        "reference": f"Patient/{pseudonym(person_id)}",
        "identifier": {"system": PSEUDONYM_SYSTEM, "value": pseudonym(person_id)},
    }
    if personal:
        first, last = row[10], row[11]
        patient["display"] = f"{first} {last}".strip() or pseudonym(person_id)
    resource = {
        "resourceType": "Immunization",
        "id": f"dose-{pk}",
        "status": "completed",
        "vaccineCode": {"text": vaccine},
        "patient": patient,
        "occurrenceDateTime": given_at.isoformat(),
        "primarySource": True,
        "location": {"reference": f"Location/clinic-{site_id}", "display": site},
        "protocolApplied": [{"doseNumberPositiveInt": dose}],
    }
    if lot:
        resource["lotNumber"] = lot
    return resource


def fhir_chunks(filters: Filters, *, personal: bool):
    """A FHIR R4 `collection` Bundle, written a hundred entries at a time."""
    yield '{"resourceType":"Bundle","type":"collection","entry":['
    separator, entries = "", []
    for row in dose_rows(filters, personal=personal):
        resource = immunization(row, personal=personal)
        # A stable urn:uuid per dose: the same dose has the same fullUrl in every export.
        full_url = f"urn:uuid:{uuid.uuid5(DOSE_NAMESPACE, resource['id'])}"
        entries.append(separator + json.dumps({"fullUrl": full_url, "resource": resource}, separators=(",", ":")))
        separator = ","
        if len(entries) == 100:
            yield "".join(entries)
            entries = []
    if entries:
        yield "".join(entries)
    yield "]}"


def daily_export_names(day: date) -> dict[str, str]:
    return {
        "csv": f"doses/{day:%Y}/doses-{day:%Y-%m-%d}.csv",
        "json": f"doses/{day:%Y}/doses-{day:%Y-%m-%d}.fhir.json",
    }


def write_daily_export(*, day: date, storage=None) -> list[str]:
    """Write one local day's doses, pseudonymous, as CSV and as a FHIR Bundle
    to the "campaign_exports" storage; a second run for the same day replaces
    the files. Returns the names written.

    The chunks go through a temporary file that spills to disk past 1 MB, so
    a day of any size is written with flat memory, and the storage receives a
    whole file (S3-compatible backends upload it in parts)."""
    if storage is None:
        storage = storages["campaign_exports"]
    filters = Filters(first_day=day, last_day=day)
    written = []
    for kind, chunks in (("csv", csv_chunks), ("json", fhir_chunks)):
        name = daily_export_names(day)[kind]
        with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spool:
            for chunk in chunks(filters, personal=False):
                spool.write(chunk.encode())
            spool.seek(0)
            if storage.exists(name):
                storage.delete(name)
            written.append(storage.save(name, File(spool, name=name)))
    return written
