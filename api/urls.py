from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from api import readiness, standby, stock_views, views

app_name = "api"

router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("sites", views.SiteViewSet, basename="site")
router.register("slots", views.SlotViewSet, basename="slot")
router.register("appointments", views.AppointmentViewSet, basename="appointment")
router.register("checkins", views.CheckInViewSet, basename="checkin")
router.register("walk-ins", standby.WalkInViewSet, basename="walk-in")
router.register("standby", standby.StandbyViewSet, basename="standby")
router.register("offers", standby.OfferViewSet, basename="offer")
router.register("spare-doses", standby.SpareDosesViewSet, basename="spare-doses")
router.register("dependents", standby.DependentViewSet, basename="dependent")
router.register("drivers", views.DriverViewSet, basename="driver")
router.register("trucks", views.TruckViewSet, basename="truck")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("lots", stock_views.LotViewSet, basename="lot")
router.register("stock", stock_views.StockLevelViewSet, basename="stock")
router.register("movements", stock_views.StockMovementViewSet, basename="movement")
router.register("excursions", stock_views.ExcursionViewSet, basename="excursion")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    # <str:pk>, as the router's URLs: any id reaches DRF and answers in JSON (404), never the CSRF page.
    path("trucks/<str:pk>/temperatures/", stock_views.TemperatureView.as_view(), name="truck-temperatures"),
    path("readiness/", readiness.AtRiskList.as_view(), name="readiness-list"),
    path("trucks/<int:pk>/readiness/", readiness.TruckReadinessView.as_view(), name="truck-readiness"),
    path("trucks/<int:pk>/odometer/", readiness.TruckOdometer.as_view(), name="truck-odometer"),
    path("", include(router.urls)),
    # Any other URL under /api/v1/ answers in the API's error shape, not with the HTML 404 page.
    re_path(r"^", views.unknown_url, name="unknown-url"),
]
