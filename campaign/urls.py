from django.urls import path

from campaign import views, views_clinics

app_name = "campaign"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export/doses.csv", views.export_csv, name="export-csv"),
    path("export/doses.fhir.json", views.export_fhir, name="export-fhir"),
    path("clinics/", views_clinics.clinic_list, name="clinic-list"),
    path("clinics/new/", views_clinics.clinic_create, name="clinic-create"),
    path("clinics/<int:pk>/", views_clinics.clinic_detail, name="clinic-detail"),
    path("clinics/<int:pk>/edit/", views_clinics.clinic_edit, name="clinic-edit"),
    path("clinics/<int:pk>/hours/", views_clinics.clinic_hours, name="clinic-hours"),
    path("clinics/<int:pk>/staff/", views_clinics.clinic_staff, name="clinic-staff"),
    path("clinics/<int:pk>/slots/", views_clinics.clinic_slots, name="clinic-slots"),
]
