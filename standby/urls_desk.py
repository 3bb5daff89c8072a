"""The desk pages of the standby app (mounted at /clinic/, beside vaccination's)."""

from django.urls import path

from standby import views_desk

app_name = "desk"

urlpatterns = [
    path("walk-in/", views_desk.walk_in, name="walk-in"),
    path("spare-doses/", views_desk.spare_doses, name="spare-doses"),
]
