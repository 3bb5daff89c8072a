"""The CSV export of the current driver filter, streamed row by row."""

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.roles import permission_required
from fleet.forms import DriverFilterForm
from fleet.models import Driver
from spreadsheet import line_writer, safe_cell


@require_GET
@permission_required("fleet.view_driver", "fleet.export_driver")
def driver_export(request):
    form = DriverFilterForm(request.GET)
    drivers = form.filter(Driver.objects.visible_to(request.user).select_related("client").with_current_truck())
    today = timezone.localdate()
    header = [
        "licence_number",
        "first_name",
        "last_name",
        "email",
        "phone",
        "date_of_birth",
        "licence_expiry",
        "licence_status",
        "active",
        "client",
        "current_truck",
        "address",
    ]

    def rows():
        yield header
        # iterator() streams from a server-side cursor (PostgreSQL) in
        # chunks, so 100,000 drivers never sit in memory at once.
        for driver in drivers.iterator(chunk_size=2000):
            yield [
                safe_cell(value)
                for value in (
                    driver.licence_number,
                    driver.first_name,
                    driver.last_name,
                    driver.email,
                    driver.phone,
                    driver.date_of_birth or "",
                    driver.licence_expiry,
                    driver.licence_status(today).value,
                    "yes" if driver.is_active else "no",
                    driver.client.name if driver.client else "",
                    driver.current_truck_code or "",
                    driver.address,
                )
            ]

    writer = line_writer()
    response = StreamingHttpResponse((writer.writerow(row) for row in rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="drivers-{today:%Y-%m-%d}.csv"'
    return response
