"""What each StockError code says, on the pages and in the API."""

from django.utils.translation import gettext_lazy as _

from vaccination.lots import LotRefused

MESSAGES = {
    "lot_unknown": _("No lot %(lot)s of this vaccine is recorded. Choose a lot on hand."),
    "lot_expired": _("Lot %(lot)s expired on %(date)s: it cannot be used."),
    "lot_quarantined": _("Lot %(lot)s is quarantined after a temperature excursion: do not use it."),
    "lot_discarded": _("Lot %(lot)s was discarded: it cannot be used."),
    "lot_empty": _("No dose of lot %(lot)s is left here. Choose another lot."),
    "not_enough": _("Only %(left)s doses of lot %(lot)s are here."),
    "same_place": _("Choose a different place to move the doses to."),
    "not_quarantined": _("Lot %(lot)s is not quarantined."),
    "quantity": _("The number of doses must be at least 1."),
}


class StockError(LotRefused):
    """A stock workflow was refused. `code` is a key of MESSAGES; `facts`
    fill its words. A LotRefused, so the desk shows the words as they are."""

    def __init__(self, code: str, **facts):
        super().__init__(code)
        self.code = code
        self.facts = facts

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]) % {key: str(value) for key, value in self.facts.items()}
