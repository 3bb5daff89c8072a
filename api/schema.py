"""drf-spectacular: the token scheme, and the one error shape on every operation."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from fleet.models import TruckCondition, TruckStatus
from vaccination import offline
from vaccination.models import Appointment

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Stable, machine-readable", "example": "slot_full"},
                "message": {"type": "string", "description": "For people", "example": "This time was just taken."},
                "fields": {
                    "type": "object",
                    "description": "On 400 for invalid input: each field's problems",
                    "additionalProperties": {},
                },
            },
        }
    },
}

# Any call can get these; the views add 409 where it can happen.
COMMON = {
    "400": "Invalid input or query parameters (error.fields names each problem).",
    "401": "No valid token or session (code not_authenticated or authentication_failed).",
    "403": "Your role may not do this (permission_denied, or mfa_required for staff without two-factor).",
    "404": "No such object, or not yours to see.",
    "406": "Ask for application/json.",
    "415": "Send application/json.",
    "429": "Too many requests (throttled); wait for Retry-After seconds.",
}


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    _client_driver_fields(schemas)
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for code, description in COMMON.items():
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                if int(code) >= 400:
                    response["content"] = error
    return result


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from Your account, API tokens: `Authorization: Bearer vxf_…`.",
        }


# Named choice sets, for ENUM_NAME_OVERRIDES (it needs module-level names).
TRUCK_STATUS = TruckStatus.choices
CONDITION_STATUS = TruckCondition.Status.choices
APPOINTMENT_STATUS = Appointment.Status.choices
# What an offline desk's sync item is (vaccination.offline): named, as other "kind" fields are in the schema.
SYNC_ITEM_KIND = [offline.SCAN, offline.DOSE]


def _client_driver_fields(schemas):
    """A client user reads drivers with the portal's fields only: the other
    fields of a driver are documented, but not required in a response."""
    from api.serializers import ClientDriverSerializer

    driver = schemas.get("Driver")
    if driver:
        portal = set(ClientDriverSerializer.Meta.fields)
        driver["required"] = [name for name in driver.get("required", []) if name in portal]
        driver["description"] = (
            "A driver. Fleet staff get every field; a client user gets only "
            + ", ".join(sorted(portal))
            + " (their own company's active drivers)."
        )
