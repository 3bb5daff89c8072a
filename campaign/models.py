"""The campaign app owns no data: it reads vaccination, fleet and the
optional apps. Its permissions need a content type, so they hang on a model
without a table."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Campaign(models.Model):
    """No table: only the holder of the campaign's permissions."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("campaign")
        permissions = [
            ("view_overview", _("Can see the campaign overview of every clinic")),
            ("export_doses", _("Can export the doses given (pseudonymous)")),
            ("export_personal_data", _("Can export the doses given with names and contact details")),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)
