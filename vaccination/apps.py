from django.apps import AppConfig


class VaccinationConfig(AppConfig):
    name = "vaccination"
    verbose_name = "Vaccination"
