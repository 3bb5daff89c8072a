"""CSV exports of drivers, streamed row by row: the fleet's (the current
driver filter, every field) and a client company's (its own drivers, the
portal's fields)."""

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.roles import Role, permission_required, role_required
from fleet.forms import ClientSearchForm, DriverFilterForm
from fleet.models import Driver
from fleet.views.portals import client_drivers
from spreadsheet import line_writer, safe_cell

DRIVER_HEADER = [
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
# What a client user sees of their drivers on the portal, and no more.
CLIENT_HEADER = ["first_name", "last_name", "phone", "licence_expiry", "licence_status", "current_truck"]


def _csv(drivers, header, values, filename):
    """A streamed CSV of `drivers`: `header`, then `values(driver, today)` per driver."""
    today = timezone.localdate()

    def rows():
        yield header
        # iterator() streams from a server-side cursor (PostgreSQL) in
        # chunks, so 100,000 drivers never sit in memory at once.
        for driver in drivers.iterator(chunk_size=2000):
            yield [safe_cell(value) for value in values(driver, today)]

    writer = line_writer()
    response = StreamingHttpResponse((writer.writerow(row) for row in rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{today:%Y-%m-%d}.csv"'
    return response


@require_GET
@permission_required("fleet.view_driver", "fleet.export_driver")
def driver_export(request):
    form = DriverFilterForm(request.GET)
    drivers = form.filter(Driver.objects.visible_to(request.user).select_related("client").with_current_truck())

    def values(driver, today):
        return (
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

    return _csv(drivers, DRIVER_HEADER, values, "drivers")


@require_GET
@role_required(Role.CLIENT_USER)
def client_export(request):
    """A client user's own company's drivers (the portal's search applied),
    with the portal's fields only; nobody else's, and nothing for someone
    without a company."""
    drivers = client_drivers(request.user, ClientSearchForm(request.GET).query)

    def values(driver, today):
        return (
            driver.first_name,
            driver.last_name,
            driver.phone,
            driver.licence_expiry,
            driver.licence_status(today).value,
            driver.current_truck_code or "",
        )

    return _csv(drivers, CLIENT_HEADER, values, "our-drivers")
