from django.db import models


class Fortune(models.Model):
    """The TechEmpower "fortunes" table: the reference F1 page reads all of it."""

    message = models.CharField(max_length=2048)

    def __str__(self):
        return self.message


class BenchSeed(models.Model):
    """What `bench_seed` loaded into this database, so the next run reuses it."""

    scale = models.CharField(max_length=16)
    version = models.PositiveSmallIntegerField()
    drivers = models.PositiveIntegerField()
    appointments = models.PositiveIntegerField()
    seconds = models.FloatField(help_text="How long loading took.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.scale} v{self.version}"
