"""Sections of the overview that other apps provide, when they are installed.

The campaign sits at the top of the dependency chain, but stock, fleet
readiness and walk-ins (standby) are built beside it and may be absent: each section
names the app it needs and a function in that app, imported only when the app
is installed, so nothing here breaks without them, and those apps never
import campaign.

A provider is called with keyword arguments only:

    campaign_sections(*, first_day, last_day, site=None, vaccine=None) -> list[dict]

(`site` and `vaccine` are vaccination.Site / Vaccine rows or None; days are
local days), and returns zero or more plain dicts, each shown as one section
with its table:

    {"title": str, "summary": str (one sentence), "columns": [str, ...],
     "rows": [[cell, ...], ...]}

A section with no rows is not shown ("each section appears when its data
exists"). A provider must run a bounded number of queries.

A provider whose data is all named by page-cache generations says so
(`cached_on`): its sections are then kept in the page cache with the
overview's figures until one of them is bumped, at most a minute. The
others run on every request.
"""

import importlib
import logging
from dataclasses import dataclass

from django.apps import apps

logger = logging.getLogger(__name__)


# The generations (pagecache) a provider's data is drawn from, or none: not cached.
APPOINTMENTS = "appointments"  # every clinic's day board, FREE_SEATS and CATALOGUE (campaign.views)
# The provider's module names them in its GENERATIONS (stock: its STOCK, bumped
# on every change of a level, a lot, a movement or an excursion; readiness: the
# fleet register, the catalogue and free seats), and may bound how long a copy
# lives in its SECONDS (readiness: its days at risk age with the date).
ITS_GENERATIONS = "its generations"


@dataclass(frozen=True)
class Provider:
    app_label: str
    path: str  # "module.function"
    cached_on: str = ""


PROVIDERS = (
    Provider("stock", "stock.campaign.campaign_sections", cached_on=ITS_GENERATIONS),
    Provider("readiness", "readiness.campaign.campaign_sections", cached_on=ITS_GENERATIONS),
    # Walk-ins and offers taken are appointments: written through the models
    # or vaccination's services, which bump the clinic's day board.
    Provider("standby", "standby.campaign.campaign_sections", cached_on=APPOINTMENTS),
)


def _module(provider: Provider):
    return importlib.import_module(provider.path.rpartition(".")[0])


def generations_of(provider: Provider) -> tuple[str, ...]:
    """The generations an ITS_GENERATIONS provider's module names."""
    return tuple(getattr(_module(provider), "GENERATIONS", ()))


def seconds_of(provider: Provider, default: int) -> int:
    """How long a copy of an ITS_GENERATIONS provider's sections may live."""
    return min(default, getattr(_module(provider), "SECONDS", default))


def installed() -> list[Provider]:
    return [provider for provider in PROVIDERS if apps.is_installed(provider.app_label)]


def _function(provider: Provider):
    module_name, _, function_name = provider.path.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        logger.warning(
            "campaign section %s: %s is installed but %s is missing", provider.path, provider.app_label, module_name
        )
        return None
    return getattr(module, function_name, None)


def sections_of(provider: Provider, filters) -> list[dict]:
    """The sections `provider` has data for, for `filters` (none when its
    app is not installed or its module is missing)."""
    if not apps.is_installed(provider.app_label):
        return []
    function = _function(provider)
    if function is None:
        return []
    sections = function(
        first_day=filters.first_day, last_day=filters.last_day, site=filters.site, vaccine=filters.vaccine
    )
    # Plain strings: the sections are kept in the cache (the words are already in the reader's language).
    return [{**section, "title": str(section["title"])} for section in sections or [] if section.get("rows")]


def optional_sections(filters, *, providers=None, cached=None) -> list[dict]:
    """The sections of the installed apps that have data for `filters`.
    `cached(provider, compute)` may return a provider's sections from the
    page cache when the provider is `cached_on` data the caller tracks."""
    shown = []
    for provider in PROVIDERS if providers is None else providers:
        if not apps.is_installed(provider.app_label):
            continue

        def compute(provider=provider):
            return sections_of(provider, filters)

        shown.extend(cached(provider, compute) if cached is not None else compute())
    return shown
