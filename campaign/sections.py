"""Sections of the overview that other apps provide, when they are installed.

The campaign sits at the top of the dependency chain, but stock, fleet
readiness and walk-ins are built beside it and may be absent: each section
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
"""

import importlib
import logging
from dataclasses import dataclass

from django.apps import apps

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Provider:
    app_label: str
    path: str  # "module.function"


PROVIDERS = (
    Provider("stock", "stock.campaign.campaign_sections"),
    Provider("readiness", "readiness.campaign.campaign_sections"),
    Provider("walkins", "walkins.campaign.campaign_sections"),
)


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


def optional_sections(filters, *, providers=None) -> list[dict]:
    """The sections of the installed apps that have data for `filters`."""
    shown = []
    for provider in PROVIDERS if providers is None else providers:
        if not apps.is_installed(provider.app_label):
            continue
        function = _function(provider)
        if function is None:
            continue
        sections = function(
            first_day=filters.first_day, last_day=filters.last_day, site=filters.site, vaccine=filters.vaccine
        )
        shown.extend(section for section in sections or [] if section.get("rows"))
    return shown
