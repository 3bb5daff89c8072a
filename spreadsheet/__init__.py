"""CSV that a spreadsheet opens safely, written as a stream: the one place
every export of ours (drivers, affected doses, readiness, campaign doses)
quotes its cells and hands lines to a StreamingHttpResponse. A shared helper:
it depends on the standard library only, and any app may use it."""

import csv
import re

# Cells a spreadsheet would run as a formula (OWASP's CSV injection list).
# Every one of them gets a leading quote, phone numbers included: "+1-1"
# looks like a phone number and is evaluated to 0, so no pattern of
# "harmless" starts is safe.
FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def safe_cell(value) -> str:
    """`value` as text a spreadsheet shows and never evaluates."""
    text = "" if value is None else str(value)
    return f"'{text}" if FORMULA_START.match(text) else text


class _Echo:
    """csv.writer needs a file; this one hands each line back to be streamed."""

    def write(self, value):
        return value


def line_writer():
    """A csv.writer whose writerow() returns the line instead of writing it."""
    return csv.writer(_Echo())
