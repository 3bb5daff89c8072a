"""stock's answers to the apps below it (see STYLE.md: they never import stock)."""

from django.db.models.signals import post_delete, post_save
from django.utils import formats
from django.utils.translation import gettext as _

from fleet import coldchain
from fleet.models import Excursion
from pagecache import fragments
from stock import services
from stock.errors import StockError
from stock.models import STOCK, Lot, Quarantine, StockLevel, StockMovement
from vaccination import demo, lots


class DeskLots:
    """vaccination.lots' source: the desk offers and uses lots on hand."""

    kept_under = (STOCK,)

    def choices(self, *, site, vaccine):
        # Asked on every check-in the desk answers: kept in the page cache
        # until stock changes (STOCK: a dose given, a lot quarantined) or the
        # day does (a lot expires); the key holds the reader's language too.
        kept = fragments.cached_value(
            "desk-lots",
            self.kept_under,
            (site.pk, vaccine.pk),
            lambda: {"lots": self._choices(site=site, vaccine=vaccine)},
            60,
        )
        return kept["lots"]

    def _choices(self, *, site, vaccine):
        if not Lot.objects.filter(vaccine=vaccine).exists():
            return None  # no stock kept of this vaccine yet: the desk types the lot
        place = services.dose_place(site)
        levels = (
            StockLevel.objects.at(**place)
            .on_hand()
            .filter(lot__vaccine=vaccine, lot__in=Lot.objects.usable(site.today()))
            .select_related("lot")
            .order_by("lot__expires_on", "lot__number")
        )
        return [(level.lot.number, lot_label(level)) for level in levels]

    def use(self, *, appointment, lot, by, at=None):
        try:
            movement = services.administer(appointment=appointment, lot_number=lot, by=by, at=at)
        except StockError as error:
            # Only once a campaign keeps stock of this vaccine are lots enforced;
            # before that the desk's typed lot stands, as it always did. Asked
            # only then: a dose from a known lot costs no extra query.
            if error.code == "lot_unknown" and not Lot.objects.filter(vaccine_id=appointment.slot.vaccine_id).exists():
                return lot
            raise
        return movement.lot.number


def lot_label(level) -> str:
    return _("%(lot)s · expires %(date)s · %(left)s left") % {
        "lot": level.lot.number,
        "date": formats.date_format(level.lot.expires_on, "MEDIUM_DATE_FORMAT"),
        "left": level.quantity,
    }


def truck_range(truck):
    """The storage range of each lot with doses on the truck now."""
    levels = StockLevel.objects.filter(truck=truck, quantity__gt=0)
    return [(float(low), float(high)) for low, high in levels.values_list("lot__min_celsius", "lot__max_celsius")]


def on_excursion(sender, excursion, **kwargs):
    services.quarantine_for(excursion=excursion)


def stock_changed(sender, **kwargs):
    fragments.bump(STOCK)


def connect():
    lots.register(DeskLots())
    # Every row the campaign's stock sections read: a change bumps STOCK, so
    # the sections are kept in the page cache until then (campaign.sections).
    for model in (Lot, StockLevel, StockMovement, Quarantine, Excursion):
        post_save.connect(stock_changed, sender=model, dispatch_uid=f"stock-changed-save-{model.__name__}")
        post_delete.connect(stock_changed, sender=model, dispatch_uid=f"stock-changed-delete-{model.__name__}")
    if truck_range not in coldchain.range_sources:
        coldchain.range_sources.append(truck_range)
    coldchain.excursion_detected.connect(on_excursion, sender=Excursion, dispatch_uid="stock-quarantine")
    demo.demo_seeded.connect(on_demo_seeded, dispatch_uid="stock-demo")


def on_demo_seeded(sender, users, **kwargs):
    from stock.demo import seed_stock

    seed_stock(users=users)
