from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from api import standby, views

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

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("", include(router.urls)),
    # Any other URL under /api/v1/ answers in the API's error shape, not with the HTML 404 page.
    re_path(r"^", views.unknown_url, name="unknown-url"),
]
