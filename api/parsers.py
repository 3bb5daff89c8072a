"""The API's JSON parser: a body the application could not store or use is
refused here, as a 400 in the API's error shape, before any view sees it.

Python's json module accepts what no field of ours can hold: 1e400 becomes
infinity (OverflowError where an id was expected), a body of 50,000 nested
`[` exhausts the recursion limit (RecursionError), `\\u0000` and lone
surrogates such as `\\ud800` become strings that PostgreSQL refuses
(DataError). Each used to answer an HTML 500.
"""

import codecs
import json
import math

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding

# Deeper than any request of ours; far below the recursion limit.
MAX_DEPTH = 32


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(_("The number %(number)s is too large.") % {"number": text[:20]})
    return number


def _constant(name: str):
    raise ValueError(_("%(name)s is not a number JSON allows.") % {"name": name})


def _check_strings_and_depth(data) -> None:
    """Every string and key encodes as UTF-8 without NUL; nesting stays
    within MAX_DEPTH. Iterative, so a deep document cannot exhaust the stack."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(_("The JSON is nested too deeply."))
        if isinstance(value, dict):
            stack.extend((key, depth) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            if "\x00" in value:
                raise ValueError(_("Text may not contain NUL characters."))
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(_("Text must be valid Unicode (no lone surrogates).")) from None


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        try:
            data = json.load(codecs.getreader(encoding)(stream), parse_float=_finite_float, parse_constant=_constant)
            _check_strings_and_depth(data)
        except RecursionError:
            raise ParseError(_("JSON parse error - the JSON is nested too deeply.")) from None
        except ValueError as error:  # JSONDecodeError and UnicodeDecodeError included
            raise ParseError(_("JSON parse error - %(error)s") % {"error": error}) from None
        return data
