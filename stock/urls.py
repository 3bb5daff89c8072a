"""The stock pages, mounted at /clinic/stock/."""

from django.urls import path

from stock import views

app_name = "stock"

urlpatterns = [
    path("", views.clinic_stock, name="clinic"),
    path("trucks/<int:pk>/", views.truck_stock, name="truck"),
    path("lots/new/", views.lot_create, name="lot-create"),
    path("lots/<int:pk>/release/", views.decide, {"decision": "release"}, name="lot-release"),
    path("lots/<int:pk>/discard/", views.decide, {"decision": "discard"}, name="lot-discard"),
    path("excursions/", views.excursion_list, name="excursions"),
    path("excursions/<int:pk>/", views.excursion_detail, name="excursion"),
    path("excursions/<int:pk>/affected.csv", views.affected_csv, name="affected-csv"),
]
