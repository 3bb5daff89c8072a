"""The readiness API: the clinic days at risk, a truck's readiness, and
odometer readings from a telematics box or a script. Same rules and the
same services as the pages (readiness.clinic_days, readiness.status,
readiness.services)."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from api.errors import DomainError
from fleet.models import Truck
from readiness import services
from readiness.clinic_days import coming_at_risk_days
from readiness.errors import ReadinessError
from readiness.models import Defect, Document, OdometerReading, ServicePlan
from readiness.status import Readiness


class ProblemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable: no_truck, truck_out_of_service, open_defect, service_overdue…")
    message = serializers.CharField(source="words")


class AtRiskDaySerializer(serializers.Serializer):
    site = serializers.IntegerField(source="site.pk")
    site_name = serializers.CharField(source="site.name")
    day = serializers.DateField()
    opens = serializers.DateTimeField()
    booked = serializers.IntegerField(help_text="Seats booked that day.")
    truck = serializers.CharField(source="truck.code", allow_null=True, default=None)
    driver = serializers.CharField(source="driver.full_name", allow_null=True, default=None)
    problems = ProblemSerializer(many=True)


class AtRiskListSerializer(serializers.Serializer):
    results = AtRiskDaySerializer(many=True)


class DefectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Defect
        fields = ["id", "description", "critical", "opened_at"]


class DocumentSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="type.code")
    state = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "type", "number", "issued_on", "expires_on", "state"]

    def get_state(self, document) -> str:
        return document.state()


class ServicePlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServicePlan
        fields = ["id", "name", "interval_months", "interval_km", "last_done_on", "next_due_on", "next_due_km"]


class TruckReadinessSerializer(serializers.Serializer):
    truck = serializers.IntegerField()
    code = serializers.CharField()
    ready = serializers.BooleanField(help_text="Ready today.")
    problems = ProblemSerializer(many=True)
    warnings = ProblemSerializer(many=True)
    odometer_km = serializers.IntegerField(allow_null=True)
    open_defects = DefectSerializer(many=True)
    documents = DocumentSerializer(many=True)
    service_plans = ServicePlanSerializer(many=True)


class OdometerSerializer(serializers.ModelSerializer):
    km = serializers.IntegerField(min_value=0, max_value=9_999_999)

    class Meta:
        model = OdometerReading
        fields = ["id", "km", "at", "source"]
        read_only_fields = ["id", "at", "source"]


def _require(request, *perms):
    if not request.user.has_perms(perms):
        raise exceptions.PermissionDenied()


@extend_schema(tags=["readiness"])
class AtRiskList(generics.GenericAPIView):
    """The mobile clinic days of the next 14 days whose truck or driver is
    not ready, with the reasons and the seats booked (as /fleet/readiness/)."""

    permission_classes = [IsAuthenticated]
    serializer_class = AtRiskListSerializer
    pagination_class = None

    def get(self, request):
        _require(request, "readiness.view_readiness")
        return Response(AtRiskListSerializer({"results": coming_at_risk_days()}).data)


@extend_schema(tags=["readiness"])
class TruckReadinessView(generics.GenericAPIView):
    """Whether the truck is ready today and why not; what is coming up; its
    open defects, documents and service plans (as the truck page)."""

    permission_classes = [IsAuthenticated]
    serializer_class = TruckReadinessSerializer

    def get(self, request, pk):
        _require(request, "fleet.view_truck", "readiness.view_defect", "readiness.view_document")
        truck = get_object_or_404(Truck, pk=pk)
        today = timezone.localdate()
        readiness = Readiness.of_truck(truck)
        problems = readiness.truck_problems(truck.pk, today)
        data = {
            "truck": truck.pk,
            "code": truck.code,
            "ready": not problems,
            "problems": problems,
            "warnings": readiness.truck_warnings(truck.pk, today),
            "odometer_km": readiness.odometer.get(truck.pk),
            "open_defects": Defect.objects.filter(truck=truck).open(),
            "documents": Document.objects.filter(truck=truck).select_related("type").order_by("-expires_on"),
            "service_plans": ServicePlan.objects.filter(truck=truck).order_by("name"),
        }
        return Response(TruckReadinessSerializer(data).data)


@extend_schema(tags=["readiness"])
class TruckOdometer(generics.GenericAPIView):
    """Record the truck's odometer. A reading lower than the last one is
    refused with 409 `odometer_backwards`."""

    permission_classes = [IsAuthenticated]
    serializer_class = OdometerSerializer

    @extend_schema(
        responses={201: OdometerSerializer},
        examples=[OpenApiExample("Reading", value={"km": 48210}, request_only=True)],
    )
    def post(self, request, pk):
        _require(request, "fleet.view_truck", "readiness.add_odometerreading")
        truck = get_object_or_404(Truck, pk=pk)
        serializer = OdometerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            reading = services.record_odometer(
                truck=truck, km=serializer.validated_data["km"], by=request.user, source=OdometerReading.Source.API
            )
        except ReadinessError as error:
            raise DomainError(error.code, error.message, status.HTTP_409_CONFLICT) from error
        return Response(OdometerSerializer(reading).data, status=status.HTTP_201_CREATED)
