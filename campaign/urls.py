from django.urls import path

from campaign import views

app_name = "campaign"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export/doses.csv", views.export_csv, name="export-csv"),
    path("export/doses.fhir.json", views.export_fhir, name="export-fhir"),
]
