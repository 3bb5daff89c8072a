from django.urls import path

from fleet import views, views_temperature

app_name = "fleet"

urlpatterns = [
    path("drivers/", views.driver_list, name="driver-list"),
    path("drivers/new/", views.driver_create, name="driver-create"),
    path("drivers/export.csv", views.driver_export, name="driver-export"),
    path("drivers/<int:pk>/", views.driver_detail, name="driver-detail"),
    path("drivers/<int:pk>/edit/", views.driver_edit, name="driver-edit"),
    path("drivers/<int:pk>/assign/", views.driver_assign, name="driver-assign"),
    path("drivers/<int:pk>/release/", views.driver_release, name="driver-release"),
    path("trucks/", views.truck_list, name="truck-list"),
    path("trucks/new/", views.truck_create, name="truck-create"),
    path("trucks/<int:pk>/", views.truck_detail, name="truck-detail"),
    path("trucks/<int:pk>/edit/", views.truck_edit, name="truck-edit"),
    path("trucks/<int:pk>/temperatures/upload/", views_temperature.upload, name="truck-temperature-upload"),
    path("me/", views.my_record, name="me"),
    path("client/", views.client_portal, name="client"),
    path("client/drivers/<int:pk>/", views.client_driver, name="client-driver"),
]
