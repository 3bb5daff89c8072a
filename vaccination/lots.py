"""Which vaccine lot a dose comes from.

vaccination does not keep stock: the app that does (stock, above this one,
see STYLE.md) registers a `LotSource` here when it starts. The desk asks it
which lots it may offer, and the dose record asks it, inside the record's
transaction, to take the dose from the lot (so a refused lot records no dose).
Without a source the lot is free text, as it was before stock was kept.
"""

from typing import Protocol


class LotRefused(Exception):
    """The source refused the lot; `message` says why, for the nurse."""

    @property
    def message(self) -> str:
        return str(self)


class LotSource(Protocol):
    # The page-cache generations (pagecache.fragments) its choices are kept
    # under: the desk reads them with its other parts' in one round trip.
    kept_under: tuple[str, ...]

    def choices(self, *, site, vaccine) -> list[tuple[str, str]] | None:
        """(lot number, label) of the lots the desk at `site` may use, soonest
        expiry first; None when no stock is kept of `vaccine` (the lot is typed)."""

    def use(self, *, appointment, lot: str, by, at=None) -> str:
        """Take one dose of `lot` for `appointment` (given at `at`, default
        now); return the lot number as recorded. Raises LotRefused."""


_source: LotSource | None = None


def register(source: LotSource):
    global _source
    _source = source


def kept_under() -> tuple[str, ...]:
    return _source.kept_under if _source else ()


def choices(*, site, vaccine) -> list[tuple[str, str]] | None:
    return _source.choices(site=site, vaccine=vaccine) if _source else None


def use(*, appointment, lot: str, by, at=None) -> str:
    lot = lot.strip()
    return _source.use(appointment=appointment, lot=lot, by=by, at=at) if _source else lot
