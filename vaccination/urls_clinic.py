"""The clinic's own pages (mounted at /clinic/), for clinic staff."""

from django.urls import path

from vaccination import views_clinic, views_offline, views_screening

app_name = "clinic"

urlpatterns = [
    path("checkin/", views_clinic.desk, name="checkin"),
    path("checkin/sw.js", views_offline.service_worker, name="desk-sw"),
    path("checkin/manifest.webmanifest", views_offline.manifest, name="desk-manifest"),
    path("find/", views_clinic.find, name="find"),
    path("today/", views_clinic.board, name="today"),
    path("today/rows/", views_clinic.board_rows, name="today-rows"),
    path("today/<int:pk>/no-show/", views_clinic.board_no_show, name="no-show"),
    path("today/<int:pk>/no-show/undo/", views_clinic.board_undo_no_show, name="undo-no-show"),
    path("appointments/<int:pk>/", views_clinic.appointment, name="appointment"),
    path("appointments/<int:pk>/dose/", views_clinic.record_dose, name="record-dose"),
    path("appointments/<int:pk>/undo/", views_clinic.undo, name="undo"),
    path("appointments/<int:pk>/screening/", views_screening.desk_screening, name="screening"),
]
