from django.db import models


class Fortune(models.Model):
    """The TechEmpower "fortunes" table: the reference F1 page reads all of it."""

    message = models.CharField(max_length=2048)

    def __str__(self):
        return self.message
