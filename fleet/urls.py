from django.urls import path

from fleet.views import drivers, export, portals, temperatures, trucks

app_name = "fleet"

urlpatterns = [
    path("drivers/", drivers.driver_list, name="driver-list"),
    path("drivers/new/", drivers.driver_create, name="driver-create"),
    path("drivers/export.csv", export.driver_export, name="driver-export"),
    path("client/export.csv", export.client_export, name="client-export"),
    path("drivers/<int:pk>/", drivers.driver_detail, name="driver-detail"),
    path("drivers/<int:pk>/edit/", drivers.driver_edit, name="driver-edit"),
    path("drivers/<int:pk>/assign/", drivers.driver_assign, name="driver-assign"),
    path("drivers/<int:pk>/release/", drivers.driver_release, name="driver-release"),
    path("trucks/", trucks.truck_list, name="truck-list"),
    path("trucks/new/", trucks.truck_create, name="truck-create"),
    path("trucks/<int:pk>/", trucks.truck_detail, name="truck-detail"),
    path("trucks/<int:pk>/edit/", trucks.truck_edit, name="truck-edit"),
    path("trucks/<int:pk>/temperatures/upload/", temperatures.upload, name="truck-temperature-upload"),
    path("me/", portals.my_record, name="me"),
    path("client/", portals.client_portal, name="client"),
    path("client/drivers/<int:pk>/", portals.client_driver, name="client-driver"),
]
