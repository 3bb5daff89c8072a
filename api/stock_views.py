"""The API of the vaccine's side (/api/v1/lots/, stock/, movements/,
excursions/, trucks/<id>/temperatures/), under the stock pages' rules:
stock.queries decides which clinics and trucks a user sees."""

from datetime import timedelta

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from api import stock_serializers as s
from api.permissions import ModelPermissions
from fleet import coldchain
from fleet.models import Excursion, TemperatureReading, Truck
from stock import queries
from stock.models import Lot, StockLevel, StockMovement

READINGS_EXAMPLE = {
    "readings": [{"at": "2026-11-22T08:00:00Z", "celsius": 5.2}, {"at": "2026-11-22T08:01:00Z", "celsius": 5.3}]
}


def _places_filter(user):
    return Q(site__in=queries.clinics_of(user)) | Q(truck__in=queries.trucks_of(user))


@extend_schema(tags=["stock"])
class LotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Vaccine lots: number, expiry, storage range and status (quarantined lots are refused at the desk)."""

    serializer_class = s.LotSerializer
    permission_classes = [ModelPermissions]
    filterset_fields = ["vaccine", "status"]
    queryset = Lot.objects.select_related("vaccine").order_by("expires_on", "number", "pk")


@extend_schema(tags=["stock"])
class StockLevelViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Doses on hand, per lot and place, at the clinics and trucks you see."""

    serializer_class = s.StockLevelSerializer
    permission_classes = [ModelPermissions]
    filterset_fields = ["site", "truck", "lot"]
    queryset = StockLevel.objects.none()

    def get_queryset(self):
        levels = StockLevel.objects.on_hand().filter(_places_filter(self.request.user))
        return levels.select_related("lot").order_by("lot__expires_on", "pk")


@extend_schema(tags=["stock"])
class StockMovementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The movements ledger (never edited) of the clinics and trucks you see, newest first."""

    serializer_class = s.StockMovementSerializer
    permission_classes = [ModelPermissions]
    filterset_fields = ["site", "truck", "lot", "kind"]
    queryset = StockMovement.objects.none()

    def get_queryset(self):
        movements = StockMovement.objects.filter(_places_filter(self.request.user))
        return movements.select_related("lot").order_by("-at", "-pk")


@extend_schema(tags=["cold chain"])
class ExcursionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Temperature excursions of the trucks you see, newest first."""

    serializer_class = s.ExcursionSerializer
    permission_classes = [ModelPermissions]
    filterset_fields = ["truck"]
    queryset = Excursion.objects.none()

    def get_queryset(self):
        return queries.excursions_of(self.request.user).order_by("-started_at", "-pk")

    @extend_schema(responses={200: s.AffectedDoseSerializer(many=True)})
    @action(detail=True, url_path="affected-doses", pagination_class=None)
    def affected_doses(self, request, pk=None):
        """Every dose given from the lots this excursion quarantined, since it began (clinic staff and leads)."""
        excursion = self.get_object()
        if not request.user.has_perm("stock.view_quarantine"):
            raise exceptions.PermissionDenied()
        return Response(s.AffectedDoseSerializer(queries.affected_doses(excursion), many=True).data)


@extend_schema(tags=["cold chain"])
class TemperatureView(generics.GenericAPIView):
    """A truck's fridge temperatures."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.TemperatureReadingSerializer
    queryset = TemperatureReading.objects.none()

    def _truck(self, perm):
        if not self.request.user.has_perm(perm):
            raise exceptions.PermissionDenied()
        pk = str(self.kwargs["pk"])
        if not pk.isdigit():
            raise exceptions.NotFound()
        return get_object_or_404(Truck, pk=int(pk))

    @extend_schema(
        parameters=[OpenApiParameter("hours", int, description="How far back, 1 to 168 hours (default 24).")],
        responses={200: s.TemperatureReadingSerializer(many=True)},
    )
    def get(self, request, pk):
        """The truck's readings of the last `hours` hours, oldest first."""
        truck = self._truck("fleet.view_temperaturereading")
        try:
            hours = min(max(int(request.query_params.get("hours", 24)), 1), 168)
        except ValueError:
            raise exceptions.ValidationError({"hours": ["A whole number of hours."]}) from None
        since = timezone.now() - timedelta(hours=hours)
        readings = self.paginate_queryset(truck.temperatures.filter(at__gte=since).order_by("at"))
        return self.get_paginated_response(self.get_serializer(readings, many=True).data)

    @extend_schema(
        request=s.ReadingsInSerializer,
        responses={201: s.IngestResultSerializer},
        examples=[OpenApiExample("Two readings", value=READINGS_EXAMPLE, request_only=True)],
    )
    def post(self, request, pk):
        """For temperature loggers: store up to 10,000 readings in one call,
        idempotent on (truck, at), in any order. A bad reading refuses the
        whole call (400 naming its row and field); nothing is stored. An
        excursion found in them quarantines the truck's lots at once."""
        truck = self._truck("fleet.add_temperaturereading")
        items = request.data.get("readings") if isinstance(request.data, dict) else None
        try:
            readings = coldchain.parse_readings(items)
        except coldchain.ReadingError as error:
            raise exceptions.ValidationError(_reading_fields(error)) from None
        result = coldchain.record_readings(truck=truck, readings=readings)
        body = {
            "received": result.received,
            "stored": result.stored,
            "duplicates": result.duplicates,
            "excursions": [excursion.pk for excursion in result.excursions],
        }
        return Response(s.IngestResultSerializer(body).data, status=status.HTTP_201_CREATED)


def _reading_fields(error: coldchain.ReadingError) -> dict:
    """{"readings[3].celsius": [message]}: the row and field at fault."""
    where = "readings" if error.row is None else f"readings[{error.row}]"
    if error.field and error.field != "readings":
        where = f"{where}.{error.field}"
    return {where: [error.message]}
