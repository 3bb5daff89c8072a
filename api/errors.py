"""One JSON error shape for every refusal of the API:

    {"error": {"code": "slot_full", "message": "This time was just taken…", "fields": {...}}}

`code` is stable and machine-readable; `message` is for people; `fields`
only on a 400 for invalid input, naming each field's problems.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

CODES_BY_STATUS = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    429: "throttled",
}


class DomainError(exceptions.APIException):
    """A refusal of a domain service (BookingError, FleetError…), with its code."""

    def __init__(self, code: str, message: str, status_code: int = status.HTTP_400_BAD_REQUEST):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code


def error_body(code: str, message: str, fields=None) -> dict:
    error = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def _flatten(detail):
    """DRF's nested ErrorDetail lists, as plain lists of strings."""
    if isinstance(detail, dict):
        return {str(key): _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [str(item) for item in detail]
        return [_flatten(item) for item in detail]
    return [str(detail)]


logger = logging.getLogger(__name__)


def _as_api_exception(exc):
    """Django's own refusals, and a value the database would not store, in
    DRF's terms: bad input is a 400 in our shape, never an HTML 500."""
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, DataError):
        # Out of range, too long, not encodable: the input's fault, though a
        # serializer should have said so first (logged, to add that check).
        logger.warning("The database refused a value of an API request: %s", exc)
        return exceptions.ParseError(_("A value in the request cannot be stored (too long, too large or not text)."))
    return exc


def exception_handler(exc, context):
    exc = _as_api_exception(exc)
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: let Django report the 500

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    code = getattr(exc, "error_code", None) or CODES_BY_STATUS.get(exc.status_code, "error")
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = error_body("invalid", "The request has invalid fields; see fields.", _flatten(detail))
    else:
        if isinstance(exc, exceptions.AuthenticationFailed | exceptions.NotAuthenticated):
            code = "not_authenticated" if isinstance(exc, exceptions.NotAuthenticated) else "authentication_failed"
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        body = error_body(code, str(message))
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)
