"""The words of fleet's refusals (fleet.services.FleetError codes), beside
their codes, for pages and the API alike. Translated lazily: a message is put
into words in the reader's language when it is shown, never at import."""

from django.utils.translation import gettext_lazy

FLEET_ERRORS = {
    "driver_inactive": gettext_lazy("This driver is inactive. Make them active before assigning a truck."),
    "truck_not_active": gettext_lazy("This truck is not in service (%(status)s)."),
    "already_assigned": gettext_lazy("This driver already drives this truck."),
    "driver_has_truck": gettext_lazy(
        "This driver already drives %(truck)s. Tick “take the truck…” to end that assignment and assign the new truck."
    ),
    "truck_taken": gettext_lazy(
        "%(driver)s already drives this truck. Tick “take the truck…” to take it from them and assign it here."
    ),
    "conflict": gettext_lazy(
        "Someone changed this assignment at the same moment. Please look at the page and try again."
    ),
    "not_assigned": gettext_lazy("This driver has no current truck."),
}


def fleet_message(error) -> str:
    """The words of a FleetError, with its details filled in."""
    return FLEET_ERRORS[error.code] % {key: str(value) for key, value in error.details.items()}
