"""Mounted at /fleet/ before fleet's own URLs (project/urls.py), so that
/fleet/readiness/ stays the public URL while fleet never imports readiness."""

from django.urls import path

from readiness import views

app_name = "readiness"

urlpatterns = [
    path("readiness/", views.at_risk, name="at-risk"),
    path("readiness/export.csv", views.export, name="export"),
    path("readiness/clinics/<int:pk>/truck/", views.reassign_truck, name="reassign-truck"),
    path("readiness/trucks/<int:pk>/driver/", views.assign_driver, name="assign-driver"),
    path("me/inspection/", views.inspect, name="inspect"),
    path("defects/<int:pk>/close/", views.close_defect, name="close-defect"),
    path("inspection-photos/<int:pk>/", views.inspection_photo, name="inspection-photo"),
]
