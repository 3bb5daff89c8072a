"""The one rule for the names we show people: no control characters and no
text-direction controls.

A name reaches the desk screen, the day board, email greetings and CSV
files. A line break in one forges a second line (or a mail header); a
right-to-left override (U+202E) before "nimda" shows "admin" on
screen. Zero-width joiners stay allowed: Persian, Indic and emoji need them.

Put on the model fields (so ModelForms, the admin and the API's
ModelSerializers apply it) and on form fields that are not model fields
(the signup form).
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Unicode's bidirectional formatting characters (UAX #9): embeddings,
# overrides, isolates and the implicit marks.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Control characters (NUL, CR, LF, tab, ESC, DEL, C1), line and paragraph
# separators, surrogates.
REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs"})


def is_refused(character: str) -> bool:
    return character in BIDI_CONTROLS or unicodedata.category(character) in REFUSED_CATEGORIES


@deconstructible
class NameValidator:
    message = _("Names cannot contain line breaks, control characters or text-direction marks.")
    code = "invalid_name"

    def __call__(self, value):
        if value and any(is_refused(character) for character in str(value)):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, NameValidator)

    def __hash__(self):
        return hash(NameValidator)


validate_name = NameValidator()
