"""The JSON API, /api/v1/. Each view gets its objects through the same
queryset methods as the pages (Driver.objects.visible_to,
Appointment.objects.of, …) and acts through the same services."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts import dependents
from api import serializers as s
from api.errors import DomainError, error_body
from api.filters import AssignmentFilter, DriverFilter, SlotFilter, TruckFilter
from api.permissions import DriverAccess, IsAdmin, IsClinicStaff, ModelPermissions
from fleet.errors import fleet_message
from fleet.models import Assignment, Driver, Truck, TruckCondition
from fleet.services import FleetError, assign, release, release_out_of_service
from ratelimits import consume
from vaccination import checkin, errors, offline, services
from vaccination.models import Appointment, Site, Slot
from vaccination.services import BookingError

User = get_user_model()

ERROR_RESPONSES = {
    400: OpenApiResponse(description="Invalid input: error.fields names each field's problems."),
    401: OpenApiResponse(description="No valid token or session."),
    403: OpenApiResponse(description="Your role may not do this."),
    404: OpenApiResponse(description="No such object, or not yours to see."),
    429: OpenApiResponse(description="Too many requests; see Retry-After."),
}

DESK_SITE_PARAMETER = OpenApiParameter(
    "site", int, description="The desk's clinic; defaults to the first clinic you work at."
)

# Refusals that mean "someone or something got there first": 409.
BOOKING_CONFLICTS = {"slot_full", "already_booked", "not_changeable"}
FLEET_CONFLICTS = {"already_assigned", "driver_has_truck", "truck_taken", "conflict", "not_assigned"}


def _rate_limit(request, action_name):
    """The pages' per-user limits (settings.ACCOUNT_RATE_LIMITS) hold here too."""
    if not consume(request, action=action_name, user=request.user):
        raise exceptions.Throttled()


def _booking_error(error: BookingError) -> DomainError:
    code = status.HTTP_409_CONFLICT if error.code in BOOKING_CONFLICTS else status.HTTP_400_BAD_REQUEST
    return DomainError(error.code, errors.booking_message(error), code)


def _fleet_error(error: FleetError) -> DomainError:
    code = status.HTTP_409_CONFLICT if error.code in FLEET_CONFLICTS else status.HTTP_400_BAD_REQUEST
    return DomainError(error.code, fleet_message(error), code)


def desk_site(user, wanted):
    """The clinic a desk call is for: `wanted` (an id) among `user`'s own, or
    their first when none is named (the pages' desk does the same)."""
    sites = list(checkin.desk_sites(user))
    if not sites:
        raise exceptions.ValidationError({"site": [_("You do not work at any clinic yet.")]})
    if wanted is None:
        return sites[0]
    site = next((site for site in sites if site.pk == wanted), None)
    if site is None:
        raise exceptions.ValidationError({"site": [_("You do not work at this clinic.")]})
    return site


def unknown_url(request, *args, **kwargs):
    return JsonResponse(error_body("not_found", _("There is no API resource at this URL.")), status=404)


# Accounts


@extend_schema(tags=["accounts"], responses={200: s.MeSerializer, **ERROR_RESPONSES})
class MeView(generics.RetrieveUpdateAPIView):
    """The signed-in user; update your own profile (names, phone, date of birth)."""

    serializer_class = s.MeSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self):
        return self.request.user


@extend_schema_view(
    destroy=extend_schema(
        description="Deactivates the user (they can no longer sign in or use tokens); their records are kept."
    ),
    create=extend_schema(
        description="Create a user; the answer is the created user, so no second call is needed.",
        examples=[
            OpenApiExample(
                "New clinic nurse",
                value={
                    "email": "nurse@example.org",
                    "first_name": "Nora",
                    "last_name": "Nurse",
                    "roles": ["Clinic staff"],
                    "password": "a-long-passphrase-2026",
                },
                request_only=True,
            )
        ],
    ),
)
@extend_schema(tags=["accounts"])
class UserViewSet(viewsets.ModelViewSet):
    """Admins only."""

    queryset = User.objects.prefetch_related("groups").order_by("id")
    serializer_class = s.UserSerializer
    permission_classes = [IsAdmin]
    filter_backends = [OrderingFilter]
    ordering_fields = ["id", "email", "last_name", "date_joined"]

    def perform_destroy(self, instance):
        # Appointments and logs point at users: deactivate rather than delete.
        instance.is_active = False
        instance.save(update_fields=["is_active"])


# Booking


@extend_schema(tags=["booking"])
class SiteViewSet(viewsets.ReadOnlyModelViewSet):
    """Clinics taking bookings. Open to anyone, like the booking page."""

    queryset = Site.objects.filter(is_active=True).order_by("name")
    serializer_class = s.SiteSerializer
    permission_classes = [AllowAny]


@extend_schema(tags=["booking"])
class SlotViewSet(viewsets.ReadOnlyModelViewSet):
    """Free times within the booking horizon. Open to anyone, like the booking page."""

    serializer_class = s.SlotSerializer
    permission_classes = [AllowAny]
    filter_backends = [DjangoFilterBackend]
    filterset_class = SlotFilter

    def get_queryset(self):
        return Slot.objects.offered().select_related("site", "vaccine").order_by("start", "site__name", "id")


@extend_schema(tags=["booking"])
class AppointmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your own appointments. Booking, cancelling and moving use the same
    service as the pages: capacity and dose rules hold; a seat just taken is 409."""

    serializer_class = s.AppointmentSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return Appointment.objects.of(self.request.user).with_details().order_by("-slot__start", "-id")

    @extend_schema(
        request=s.SlotChoiceSerializer,
        responses={201: s.AppointmentSerializer, 409: OpenApiResponse(description="slot_full, already_booked")},
        examples=[OpenApiExample("Book a slot", value={"slot": 42}, request_only=True)],
    )
    def create(self, request):
        """Book a free slot, for yourself or someone you care for (`person`):
        one booked appointment per vaccine (flu and COVID may be held together).
        The answer holds the confirmation code and its QR value."""
        slot = self._slot(request)
        wanted = request.data.get("person") if hasattr(request.data, "get") else None
        person = dependents.dependent_of(request.user, wanted) if wanted else request.user
        _rate_limit(request, "book")
        try:
            appointment = services.book(person=person, slot=slot)
        except BookingError as error:
            raise _booking_error(error) from None
        appointment = self.get_queryset().get(pk=appointment.pk)
        return Response(self.get_serializer(appointment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None, responses={200: s.AppointmentSerializer, 409: OpenApiResponse(description="not_changeable")}
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel your booked appointment before it starts; the seat is freed."""
        appointment = self.get_object()
        try:
            services.cancel(appointment=appointment, by=request.user)
        except BookingError as error:
            raise _booking_error(error) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=appointment.pk)).data)

    @extend_schema(
        request=s.SlotChoiceSerializer,
        responses={200: s.AppointmentSerializer, 409: OpenApiResponse(description="slot_full, not_changeable")},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        """Move your appointment to another free slot of the same vaccine, atomically."""
        appointment = self.get_object()
        slot = self._slot(request)
        _rate_limit(request, "book")
        try:
            services.reschedule(appointment=appointment, slot=slot)
        except BookingError as error:
            raise _booking_error(error) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=appointment.pk)).data)

    @staticmethod
    def _slot(request):
        choice = s.SlotChoiceSerializer(data=request.data)
        choice.is_valid(raise_exception=True)
        return choice.validated_data["slot"]


@extend_schema(tags=["clinic"])
class CheckInViewSet(viewsets.GenericViewSet):
    """The clinic desk: the same check-in, log and result codes as /clinic/checkin/."""

    serializer_class = s.CheckInSerializer
    permission_classes = [IsClinicStaff]

    @extend_schema(
        request=s.CheckInSerializer,
        responses={200: s.CheckInResultSerializer, **ERROR_RESPONSES},
        examples=[OpenApiExample("Scan a code", value={"code": "ABCD-EFGH", "site": 1}, request_only=True)],
    )
    def create(self, request):
        """Check a confirmation code in. Every scan answers 200 with a result
        code (checked_in, unknown, cancelled, no_show, wrong_day, wrong_site,
        already_checked_in) and is logged, as at the desk."""
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        site = self._desk_site(form.validated_data.get("site"))
        _rate_limit(request, "check_in")
        result = checkin.check_in(
            code=form.validated_data["code"],
            desk_user=request.user,
            site=site,
            attempt=form.validated_data["attempt"],
        )
        body = {
            "result": result.reason,
            "ok": result.ok,
            "code": result.code,
            "repeated": result.repeated,
            "headline": str(errors.CHECKIN_HEADLINES[result.reason]),
            "message": errors.checkin_detail(result),
            "appointment": result.appointment,
        }
        return Response(s.CheckInResultSerializer(body).data)

    @extend_schema(
        parameters=[DESK_SITE_PARAMETER],
        responses={200: s.RosterSerializer, **ERROR_RESPONSES},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def roster(self, request):
        """Today's appointments at the desk's clinic, for a desk that must keep
        working offline: only what the nurse needs to recognise each person,
        and the codes booked there on nearby days (no names)."""
        site = self._desk_site(self._site_parameter())
        return Response(offline.roster(site=site, day=site.today()))

    @extend_schema(
        parameters=[DESK_SITE_PARAMETER],
        request=s.SyncScanSerializer(many=True),
        responses={200: s.SyncResultSerializer(many=True), **ERROR_RESPONSES},
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def sync(self, request):
        """Scans a desk made offline, in the order it made them: each is checked
        in as at the desk, at the time it was scanned, and answered; a dose
        record entered offline (`kind` dose, with its `lot`) is recorded after
        its scan, at the time it was entered, with the desk's lot rules.
        Idempotent on `attempt`; a batch with a malformed, repeated, future or
        day-old item, a dose without a lot, or of more than 200 items, is
        refused whole."""
        site = self._desk_site(self._site_parameter())
        if not isinstance(request.data, list):
            raise exceptions.ValidationError({"non_field_errors": [_("Send a list of scans.")]})
        if len(request.data) > offline.MAX_SCANS:
            # Refused before reading the items: a huge batch costs nothing.
            error = offline.SyncError("too_many", limit=offline.MAX_SCANS)
            raise DomainError(error.code, errors.sync_message(error), status.HTTP_400_BAD_REQUEST)
        form = s.SyncScanSerializer(data=request.data, many=True)
        form.is_valid(raise_exception=True)
        _rate_limit(request, "check_in")
        scans = [offline.Scan(**item) for item in form.validated_data]
        try:
            results = offline.sync_scans(scans=scans, desk_user=request.user, site=site)
        except offline.SyncError as error:
            raise DomainError(error.code, errors.sync_message(error), status.HTTP_400_BAD_REQUEST) from None
        body = [_synced(scan, result) for scan, result in zip(scans, results, strict=True)]
        return Response(s.SyncResultSerializer(body, many=True).data)

    def _site_parameter(self):
        wanted = self.request.query_params.get("site")
        if wanted is None:
            return None
        try:
            return int(wanted)
        except ValueError:
            raise exceptions.ValidationError({"site": [_("A clinic is named by its number.")]}) from None

    def _desk_site(self, wanted):
        return desk_site(self.request.user, wanted)


def _synced(scan, result) -> dict:
    """One synced item's answer: a scan's as at the desk, a dose record's."""
    if scan.kind == offline.DOSE:
        headline, message = errors.synced_dose_words(result)
    else:
        headline, message = str(errors.CHECKIN_HEADLINES[result.reason]), errors.checkin_detail(result)
    return {
        "attempt": scan.attempt,
        "kind": scan.kind,
        "result": result.reason,
        "ok": result.ok,
        "code": result.code,
        "repeated": result.repeated,
        "headline": headline,
        "message": message,
    }


# Fleet


@extend_schema(tags=["fleet"])
class DriverViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Drivers. Fleet managers write, clinic staff read; a client user reads
    only their own company's active drivers, with the portal's fields."""

    permission_classes = [DriverAccess]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = DriverFilter
    ordering = ["last_name", "first_name", "id"]
    queryset = Driver.objects.none()  # for the schema; get_queryset scopes it

    @property
    def ordering_fields(self):
        # Sorting by a field is reading it (its order gives it away): a client
        # user sorts only by what the portal shows; any other ?ordering= is ignored.
        request = getattr(self, "request", None)
        if request is None or getattr(self, "swagger_fake_view", False) or request.user.has_perm("fleet.view_driver"):
            return ["last_name", "first_name", "licence_number", "licence_expiry", "client__name", "id"]
        return ["last_name", "first_name", "licence_expiry", "id"]

    def get_queryset(self):
        return Driver.objects.visible_to(self.request.user).select_related("client").with_current_truck()

    def get_serializer_class(self):
        # The schema documents the full driver; api.schema marks which fields
        # a client user also gets.
        if getattr(self, "swagger_fake_view", False) or self.request.user.has_perm("fleet.view_driver"):
            return s.DriverSerializer
        return s.ClientDriverSerializer

    def perform_update(self, serializer):
        with transaction.atomic():
            driver = serializer.save()
            release_out_of_service(driver=driver, by=self.request.user)


@extend_schema(tags=["fleet"])
class TruckViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Trucks. Fleet managers write, clinic staff read."""

    serializer_class = s.TruckSerializer
    permission_classes = [ModelPermissions]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = TruckFilter
    ordering_fields = ["code", "plate", "year", "status", "id"]
    ordering = ["code"]
    queryset = Truck.objects.with_current_driver()

    def perform_update(self, serializer):
        with transaction.atomic():
            truck = serializer.save()
            release_out_of_service(truck=truck, by=self.request.user)

    @extend_schema(
        methods=["GET"],
        responses={200: s.TruckConditionSerializer(many=True)},
        description="The truck's reported conditions, newest first.",
    )
    @extend_schema(
        methods=["POST"],
        request=s.TruckConditionSerializer,
        responses={201: s.TruckConditionSerializer},
        description="For equipment-monitoring systems: report the truck's technical condition.",
        examples=[
            OpenApiExample(
                "Condition report",
                value={
                    "status": "warning",
                    "odometer_km": 48210,
                    "readings": {"fridge_temp_c": 7.9, "battery_v": 12.4},
                    "recorded_at": "2026-11-22T08:00:00Z",
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["get", "post"], url_path="condition", permission_classes=[IsAuthenticated])
    def condition(self, request, pk=None):
        perm = "fleet.add_truckcondition" if request.method == "POST" else "fleet.view_truckcondition"
        if not request.user.has_perms(["fleet.view_truck", perm]):
            raise exceptions.PermissionDenied()
        truck = self.get_object()
        if request.method == "POST":
            report = s.TruckConditionSerializer(data=request.data)
            report.is_valid(raise_exception=True)
            report.save(truck=truck, reported_by=request.user)
            return Response(report.data, status=status.HTTP_201_CREATED)
        conditions = self.paginate_queryset(TruckCondition.objects.filter(truck=truck).order_by("-recorded_at", "-id"))
        return self.get_paginated_response(s.TruckConditionSerializer(conditions, many=True).data)


@extend_schema(tags=["fleet"])
class AssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Who drives which truck, with history. Fleet managers assign and release."""

    serializer_class = s.AssignmentSerializer
    permission_classes = [ModelPermissions]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = AssignmentFilter
    ordering_fields = ["since", "until", "id"]
    ordering = ["-since", "-id"]
    queryset = Assignment.objects.select_related("driver", "truck")

    @extend_schema(
        request=s.AssignSerializer,
        responses={201: s.AssignmentSerializer, 409: OpenApiResponse(description="truck_taken, driver_has_truck…")},
    )
    def create(self, request):
        """Assign a truck to a driver (the same service as the driver page)."""
        if not request.user.has_perms(["fleet.add_assignment", "fleet.change_assignment"]):
            raise exceptions.PermissionDenied()
        form = s.AssignSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            assignment = assign(by=request.user, **form.validated_data)
        except FleetError as error:
            raise _fleet_error(error) from None
        return Response(self.get_serializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None, responses={200: s.AssignmentSerializer, 409: OpenApiResponse(description="not_assigned")}
    )
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """End this assignment now, if it is still current; the truck becomes free."""
        assignment = self.get_object()
        if not request.user.has_perm("fleet.change_assignment"):
            raise exceptions.PermissionDenied()
        if not assignment.is_current:
            raise _fleet_error(FleetError("not_assigned"))
        try:
            ended = release(driver=assignment.driver, by=request.user)
        except FleetError as error:
            raise _fleet_error(error) from None
        return Response(self.get_serializer(ended).data)
