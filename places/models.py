"""Towns and postcodes with their coordinates: what a search for "the
nearest clinic" starts from. Loaded from an open data file the operator
provides (`manage.py load_places`, format in docs/places.md); nothing is
asked of an outside service when someone searches."""

import unicodedata

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The generation (pagecache.fragments) of the place table: pages that show
# search results depend on it.
PLACES = "places"


def search_key(text: str) -> str:
    """How names are compared: case, accents, punctuation and repeated spaces
    do not matter ("Alcalá de Henares" = "alcala de  henares")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.split())


def postcode_key(text: str) -> str:
    """How postcodes are compared: upper case, without spaces or dashes."""
    return "".join(c for c in text.upper() if c.isalnum())


class Place(models.Model):
    """One place name at one postcode (a town with several postcodes has one
    row for each, as in GeoNames' postal-code files)."""

    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. ES."))
    postcode = models.CharField(_("postcode"), max_length=20)
    name = models.CharField(_("place name"), max_length=180)
    region = models.CharField(_("region"), max_length=100, blank=True, help_text=_("Tells apart places of one name."))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    name_key = models.CharField(max_length=180, editable=False, db_index=True)
    postcode_key = models.CharField(max_length=20, editable=False, db_index=True)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["name", "region", "postcode"]
        constraints = [
            models.UniqueConstraint(fields=["country", "postcode", "name"], name="places_place_unique"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="places_place_coordinates_valid",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.postcode})"

    def save(self, *args, **kwargs):
        self.fill_keys()
        super().save(*args, **kwargs)

    def fill_keys(self):
        """The search keys, also for rows written by bulk_create (the loader)."""
        self.name_key = search_key(self.name)[:180]
        self.postcode_key = postcode_key(self.postcode)[:20]
