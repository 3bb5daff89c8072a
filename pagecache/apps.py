from django.apps import AppConfig


class PagecacheConfig(AppConfig):
    """The shared cache of rendered page parts (pagecache.fragments): a base
    app every other app may depend on; it depends on Django only."""

    name = "pagecache"
    verbose_name = "Page cache"
