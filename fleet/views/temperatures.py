"""A fleet manager uploads a temperature logger's CSV for a truck: the same
validation and ingest as the loggers' API (fleet.coldchain)."""

import csv
import io

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.roles import permission_required
from fleet import coldchain
from fleet.models import Truck

MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # 10,000 readings are about 400 KB


class TemperatureUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Logger CSV"),
        help_text=gettext_lazy(
            "Two columns with a header line: at (ISO 8601 with offset), celsius. At most 10,000 rows."
        ),
    )


class CsvError(Exception):
    pass


def readings_from_csv(upload) -> list:
    """The file's readings, validated as one batch; CsvError says what and where."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise CsvError(_("The file is larger than 2 MB."))
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvError(_("The file is not UTF-8 text.")) from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or {"at", "celsius"} - {name.strip().lower() for name in reader.fieldnames}:
        raise CsvError(_("The first line must name the columns: at,celsius."))
    rows = [{key.strip().lower(): value for key, value in row.items() if key} for row in reader]
    try:
        return coldchain.parse_readings(rows)
    except coldchain.ReadingError as error:
        if error.row is None:
            raise CsvError(error.message) from None
        # Line 1 is the header, so row 0 is line 2.
        raise CsvError(_("Line %(line)s: %(message)s") % {"line": error.row + 2, "message": error.message}) from None


@permission_required("fleet.add_temperaturereading")
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request, pk):
    truck = get_object_or_404(Truck, pk=pk)
    form = TemperatureUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if form.is_valid():
        try:
            readings = readings_from_csv(form.cleaned_data["file"])
        except CsvError as error:
            form.add_error("file", str(error))
            status = 400
        else:
            result = coldchain.record_readings(truck=truck, readings=readings)
            messages.success(
                request,
                _("%(stored)s new readings stored (%(duplicates)s already known); %(excursions)s new excursions.")
                % {"stored": result.stored, "duplicates": result.duplicates, "excursions": len(result.excursions)},
            )
            return redirect("fleet:truck-detail", pk=truck.pk)
    return render(request, "fleet/temperature_upload.html", {"truck": truck, "form": form}, status=status)
