"""The API of walk-ins, the standby list, spare-dose offers and the people a
person cares for (/api/v1/): the same services, rules and error codes as the
pages (standby.services, standby.walkins, accounts.dependents)."""

from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts import dependents
from accounts.models import User
from api.errors import DomainError, error_body
from api.permissions import IsClinicStaff
from api.serializers import AppointmentSerializer, CheckInAppointmentSerializer, PhoneField
from api.views import desk_site
from standby import services, walkins
from standby.errors import StandbyError, message
from standby.models import Offer, SpareDoses, StandbyEntry
from vaccination import checkin
from vaccination.models import Appointment, Site, Vaccine

# Refusals that mean "someone or something got there first, or it is spent": 409.
CONFLICTS = {"possible_duplicate", "holds_booking", "already_waiting", "used", "gone", "expired", "withdrawn"}
# An offer or entry not the caller's is a 404, as for one that does not exist.
NOT_FOUND = {"forged", "not_yours", "not_a_match"}


def _standby_error(error: StandbyError) -> DomainError:
    if error.code in NOT_FOUND:
        code = status.HTTP_404_NOT_FOUND
    elif error.code in CONFLICTS:
        code = status.HTTP_409_CONFLICT
    else:
        code = status.HTTP_400_BAD_REQUEST
    return DomainError(error.code, message(error), code)


# Serializers


class WalkInSerializer(serializers.Serializer):
    site = serializers.IntegerField(required=False, help_text="The desk's clinic; defaults to your first.")
    vaccine = serializers.PrimaryKeyRelatedField(queryset=Vaccine.objects.all())
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    date_of_birth = serializers.DateField()
    phone = PhoneField(default="")
    email = serializers.EmailField(required=False, default="", allow_blank=True)
    person = serializers.IntegerField(
        required=False, help_text="An existing person among the possible duplicates a first call answered with."
    )


class MatchSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_full_name")

    class Meta:
        model = User
        fields = ["id", "name", "date_of_birth"]


class StandbyEntrySerializer(serializers.ModelSerializer):
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all())
    any_day = serializers.BooleanField(write_only=True, default=False, help_text="Any day of the coming week.")
    day = serializers.DateField(write_only=True, required=False, help_text="The day, unless any_day.")

    class Meta:
        model = StandbyEntry
        fields = ["id", "site", "first_day", "last_day", "arrive_within", "created_at", "any_day", "day"]
        read_only_fields = ["id", "first_day", "last_day", "created_at"]


class OfferSerializer(serializers.ModelSerializer):
    site_name = serializers.CharField(source="spare.slot.site.name", read_only=True)
    vaccine_name = serializers.CharField(source="spare.slot.vaccine.name", read_only=True)
    until = serializers.DateTimeField(source="spare.until", read_only=True)

    class Meta:
        model = Offer
        fields = ["id", "status", "site_name", "vaccine_name", "until", "expires_at", "accepted_at", "appointment"]
        read_only_fields = fields


class SpareDosesSerializer(serializers.ModelSerializer):
    site = serializers.IntegerField(write_only=True, required=False, help_text="Your clinic; defaults to your first.")
    vaccine = serializers.PrimaryKeyRelatedField(queryset=Vaccine.objects.all(), write_only=True)
    until_time = serializers.TimeField(write_only=True, help_text="HH:MM today, in the clinic's time.")
    offered = serializers.IntegerField(read_only=True)
    accepted = serializers.IntegerField(read_only=True)

    class Meta:
        model = SpareDoses
        fields = [
            "id",
            "site",
            "vaccine",
            "doses",
            "until_time",
            "until",
            "reason",
            "created_at",
            "offered",
            "accepted",
        ]
        read_only_fields = ["id", "until", "reason", "created_at"]
        extra_kwargs = {"doses": {"min_value": 1, "max_value": 50}}


class DependentSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "first_name", "last_name", "date_of_birth", "relationship"]
        extra_kwargs = {"date_of_birth": {"required": True, "allow_null": False}}


# Views


@extend_schema(tags=["clinic"])
class WalkInViewSet(viewsets.GenericViewSet):
    """Register someone without an appointment at the desk (clinic staff)."""

    serializer_class = WalkInSerializer
    permission_classes = [IsClinicStaff]

    @extend_schema(
        responses={
            201: CheckInAppointmentSerializer,
            409: OpenApiResponse(description="possible_duplicate (with matches), holds_booking"),
            400: OpenApiResponse(description="future_birth, no_seat_today(_next), too_soon, course_complete"),
        }
    )
    def create(self, request):
        """Takes the next free seat today and checks the person in. When the
        details match someone registered, answers 409 possible_duplicate with
        `matches`: call again with `person` set to one of them."""
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        site = desk_site(request.user, data.get("site"))
        person = User.objects.filter(pk=data["person"]).first() if data.get("person") else None
        try:
            appointment = walkins.register_walk_in(
                site=site,
                vaccine=data["vaccine"],
                desk_user=request.user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
                phone=data["phone"],
                email=data["email"],
                person=person,
            )
        except StandbyError as error:
            if error.code == "possible_duplicate":
                body = error_body(error.code, message(error))
                body["error"]["matches"] = MatchSerializer(error.matches, many=True).data
                return Response(body, status=status.HTTP_409_CONFLICT)
            raise _standby_error(error) from None
        return Response(CheckInAppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["standby"])
class StandbyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your places on clinics' standby lists."""

    queryset = StandbyEntry.objects.none()  # for the schema; get_queryset() decides
    serializer_class = StandbyEntrySerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return StandbyEntry.objects.active().filter(person=self.request.user).order_by("created_at", "id")

    @extend_schema(responses={201: StandbyEntrySerializer, 409: OpenApiResponse(description="already_waiting")})
    def create(self, request):
        """Join a clinic's standby list for a day, or any day of the coming week."""
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            entry = services.join(
                person=request.user,
                site=data["site"],
                day=data.get("day"),
                any_day=data["any_day"],
                arrive_within=data["arrive_within"],
            )
        except StandbyError as error:
            raise _standby_error(error) from None
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: StandbyEntrySerializer})
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        """Leave this standby list; open offers are withdrawn."""
        entry = self.get_object()
        try:
            services.leave(entry=entry)
        except StandbyError as error:
            raise _standby_error(error) from None
        return Response(self.get_serializer(entry).data)


@extend_schema(tags=["standby"])
class OfferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Spare-dose offers sent to you."""

    queryset = Offer.objects.none()  # for the schema; get_queryset() decides
    serializer_class = OfferSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return (
            Offer.objects.filter(entry__person=self.request.user)
            .select_related("spare__slot__site", "spare__slot__vaccine")
            .order_by("-created_at", "-id")
        )

    @extend_schema(
        request=None,
        responses={200: AppointmentSerializer, 409: OpenApiResponse(description="used, expired, gone, withdrawn")},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept the offer: the first to accept get the doses; a late one is 409 gone and stays on the list."""
        offer = self.get_object()
        try:
            offer = services.accept_offer(token=services.offer_token(offer), person=request.user)
        except StandbyError as error:
            raise _standby_error(error) from None
        appointment = Appointment.objects.with_details().get(pk=offer.appointment_id)
        return Response(AppointmentSerializer(appointment).data)


@extend_schema(tags=["clinic"])
class SpareDosesViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Spare doses declared in the last day at your clinics (clinic staff)."""

    queryset = SpareDoses.objects.none()  # for the schema; get_queryset() decides
    serializer_class = SpareDosesSerializer
    permission_classes = [IsClinicStaff]

    def get_queryset(self):
        sites = checkin.desk_sites(self.request.user)
        return (
            SpareDoses.objects.filter(slot__site__in=sites, created_at__gte=timezone.now() - timedelta(days=1))
            .annotate(offered=Count("offers"), accepted=Count("offers", filter=Q(offers__status="accepted")))
            .order_by("-created_at", "-id")
        )

    @extend_schema(responses={201: SpareDosesSerializer, 400: OpenApiResponse(description="until_passed")})
    def create(self, request):
        """Declare `doses` spare doses until HH:MM today: offers go to the standby list at once."""
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        site = desk_site(request.user, data.get("site"))
        until = datetime.combine(site.today(), data["until_time"], tzinfo=site.tzinfo)
        try:
            spare = services.declare_spare_doses(
                site=site, vaccine=data["vaccine"], doses=data["doses"], until=until, by=request.user
            )
        except StandbyError as error:
            raise _standby_error(error) from None
        spare = self.get_queryset().get(pk=spare.pk)
        return Response(self.get_serializer(spare).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["accounts"])
class DependentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """People you care for. Book for one with POST /appointments/ and `person`."""

    queryset = User.objects.none()  # for the schema; get_queryset() decides
    serializer_class = DependentSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return dependents.dependents_of(self.request.user)

    @extend_schema(responses={201: DependentSerializer})
    def create(self, request):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            dependent = dependents.add_dependent(carer=request.user, **form.validated_data)
        except dependents.DependentError as error:
            raise DomainError(error.code, error.message) from None
        return Response(self.get_serializer(dependent).data, status=status.HTTP_201_CREATED)
