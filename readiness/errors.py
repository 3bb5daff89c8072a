"""The words of readiness: refused actions (ReadinessError codes) and the
reasons a truck or driver is not ready, so pages, the API, the CSV and the
alerts say the same thing."""

from django.utils.translation import gettext_lazy as _


class ReadinessError(Exception):
    """A refused readiness action. `code` is stable; MESSAGES has its words."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]) % {key: str(value) for key, value in self.details.items()}


MESSAGES = {
    "not_your_truck": _("You can only inspect the truck you drive."),
    "no_checklist": _("There is no checklist yet. Ask a fleet manager to set one up."),
    "incomplete": _("Answer every item of the checklist."),
    "odometer_backwards": _("The odometer cannot go down: the last reading was %(last)s km."),
    "service_in_future": _("A service cannot be completed in the future."),
    "defect_closed": _("This defect is already closed."),
    "not_mobile": _("This clinic is not a mobile clinic."),
    "truck_not_ready": _("%(truck)s is not ready: %(reason)s"),
    "truck_busy": _("%(truck)s already brings another mobile clinic."),
    "driver_not_ready": _("%(driver)s is not ready: %(reason)s"),
    "driver_busy": _("%(driver)s already drives %(truck)s."),
    "assign_refused": _("The assignment was refused: %(reason)s"),
}

# Why a truck or a driver is not ready on a day ("blockers"), and what is
# coming up soon ("warnings"). %(subject)s names the plan, document or driver.
REASONS = {
    "no_truck": _("No truck brings this mobile clinic"),
    "truck_out_of_service": _("Truck not in service (%(subject)s)"),
    "open_defect": _("Open critical defect: %(subject)s"),
    "service_overdue": _("Service overdue: %(subject)s"),
    "truck_document_expired": _("Truck document expired: %(subject)s"),
    "no_driver": _("No driver assigned"),
    "driver_inactive": _("Driver inactive: %(subject)s"),
    "licence_expired": _("Driver's licence expired: %(subject)s"),
    "driver_document_expired": _("Driver's document expired: %(subject)s"),
    "service_due_soon": _("Service due soon: %(subject)s"),
    "document_expiring": _("Document expires soon: %(subject)s"),
    "licence_expiring": _("Driver's licence expires soon: %(subject)s"),
}
