from django.apps import AppConfig


class VaccinationConfig(AppConfig):
    name = "vaccination"
    verbose_name = "Vaccination"

    def ready(self):
        from vaccination import personal_data  # noqa: F401 -- answers accounts' personal-data signals
