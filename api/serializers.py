import copy
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField as PhoneNumberSerializerField
from rest_framework import serializers

from accounts import phones
from accounts.forms import ProfileForm
from accounts.models import same_email
from accounts.roles import Role
from fleet.forms import DriverForm, TruckForm
from fleet.models import Assignment, Driver, LicenceStatus, Truck, TruckCondition
from vaccination import offline
from vaccination.checkin import REASONS
from vaccination.models import Appointment, Site, Slot, Vaccine

User = get_user_model()


class PhoneField(PhoneNumberSerializerField):
    """A phone number: read with PHONENUMBER_DEFAULT_REGION, answered in E.164."""

    default_error_messages = {"invalid": phones.INVALID}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return phones.e164(value) or str(value or "")


class FormBackedSerializer(serializers.ModelSerializer):
    """Validates through the web page's own ModelForm, so the API cannot
    accept what the page refuses (and saves through it, with its side
    effects). DRF checks the types first; the form then decides."""

    form_class = None

    def form_data(self, attrs):
        fields = self.form_class._meta.fields
        data = model_to_dict(self.instance, fields) if self.instance is not None else {}
        data.update(attrs)
        return {key: ("" if value is None else value) for key, value in data.items()}

    def validate(self, attrs):
        form = self.form_class(data=self.form_data(attrs), instance=self.instance)
        if not form.is_valid():
            errors = {}
            for field, messages in form.errors.items():
                errors["non_field_errors" if field == "__all__" else field] = list(messages)
            raise serializers.ValidationError(errors)
        self._form = form
        return attrs

    def create(self, validated_data):
        return self._form.save()

    def update(self, instance, validated_data):
        return self._form.save()


# Accounts


class MeSerializer(FormBackedSerializer):
    form_class = ProfileForm
    phone = PhoneField()
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "phone", "date_of_birth", "roles"]
        read_only_fields = ["id", "email"]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=[r.value for r in Role])))
    def get_roles(self, user):
        return sorted(user.role_names)


class UserSerializer(serializers.ModelSerializer):
    """Admin-only. The password is write-only, checked by Django's password
    validators and stored hashed; it is never returned."""

    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})
    phone = PhoneField()
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=[r.value for r in Role]), required=False, max_length=len(Role)
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "phone",
            "date_of_birth",
            "is_active",
            "is_staff",
            "date_joined",
            "roles",
            "password",
        ]
        read_only_fields = ["id", "date_joined"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["roles"] = sorted(instance.groups.values_list("name", flat=True))
        return data

    def validate_email(self, value):
        email = value.strip().lower()
        others = User.objects.filter(same_email(email))
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError("A user with this email address already exists.")
        return email

    def validate(self, attrs):
        password = attrs.get("password")
        if self.instance is None and not password:
            raise serializers.ValidationError({"password": ["A new user needs a password."]})
        candidate = copy.copy(self.instance) if self.instance is not None else User()
        for key, value in attrs.items():
            if key not in {"roles", "password"}:
                setattr(candidate, key, value)
        try:
            candidate.clean()
            if password:
                validate_password(password, user=candidate)
        except DjangoValidationError as error:
            if hasattr(error, "error_dict"):
                raise serializers.ValidationError(error.message_dict) from None
            raise serializers.ValidationError({"password": list(error.messages)}) from None
        return attrs

    @transaction.atomic
    def create(self, validated_data):
        roles = validated_data.pop("roles", [])
        password = validated_data.pop("password")
        user = User.objects.create_user(password=password, **validated_data)
        user.groups.set(Group.objects.filter(name__in=roles))
        return user

    @transaction.atomic
    def update(self, instance, validated_data):
        roles = validated_data.pop("roles", None)
        password = validated_data.pop("password", None)
        for key, value in validated_data.items():
            setattr(instance, key, value)
        if password:
            instance.set_password(password)
        instance.save()
        if roles is not None:
            instance.groups.set(Group.objects.filter(name__in=roles))
        return instance


# Booking


class VaccineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vaccine
        fields = ["id", "name", "doses_required", "min_days_between_doses"]


class SiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "name", "address", "is_mobile", "time_zone", "what_to_bring"]


class SlotSerializer(serializers.ModelSerializer):
    site_name = serializers.CharField(source="site.name", read_only=True)
    vaccine_name = serializers.CharField(source="vaccine.name", read_only=True)
    local_start = serializers.SerializerMethodField(help_text="The start in the clinic's own time zone.")
    seats_left = serializers.IntegerField(read_only=True)

    class Meta:
        model = Slot
        fields = ["id", "site", "site_name", "vaccine", "vaccine_name", "start", "end", "local_start", "seats_left"]

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_local_start(self, slot):
        return slot.local_start.isoformat()


class AppointmentSerializer(serializers.ModelSerializer):
    slot = SlotSerializer(read_only=True)
    qr_value = serializers.SerializerMethodField(
        help_text="The text of the QR code the desk scans (the code), while the appointment is upcoming."
    )
    is_changeable = serializers.BooleanField(read_only=True)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "code",
            "qr_value",
            "status",
            "dose_number",
            "slot",
            "created_at",
            "cancelled_at",
            "checked_in_at",
            "dose_given_at",
            "vaccine_lot",
            "is_changeable",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_qr_value(self, appointment):
        return appointment.code if appointment.is_upcoming else None


class SlotChoiceSerializer(serializers.Serializer):
    slot = serializers.PrimaryKeyRelatedField(queryset=Slot.objects.all(), help_text="The id of a free slot.")
    person = serializers.IntegerField(
        required=False, help_text="Booking for someone you care for (GET /dependents/): their id. Yourself if absent."
    )


class CheckInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64, help_text="The 8-character confirmation code, any case or spacing.")
    site = serializers.IntegerField(
        required=False, help_text="The desk's clinic; defaults to the first clinic you work at."
    )
    attempt = serializers.CharField(
        max_length=40,
        required=False,
        default="",
        help_text="Optional idempotency key: the same key within two minutes gets the first answer again.",
    )


class CheckInAppointmentSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.get_full_name", read_only=True)
    site_name = serializers.CharField(source="slot.site.name", read_only=True)
    vaccine_name = serializers.CharField(source="slot.vaccine.name", read_only=True)
    start = serializers.DateTimeField(source="slot.start", read_only=True)

    class Meta:
        model = Appointment
        fields = ["id", "code", "status", "person_name", "site_name", "vaccine_name", "start", "dose_number"]
        read_only_fields = fields


class CheckInResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=REASONS, help_text="The desk's result code; checked_in is success.")
    ok = serializers.BooleanField()
    code = serializers.CharField(help_text="The code as normalised.")
    repeated = serializers.BooleanField(help_text="True when this is the first answer to the same attempt again.")
    headline = serializers.CharField()
    message = serializers.CharField()
    appointment = CheckInAppointmentSerializer(allow_null=True)


class SyncScanSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[offline.SCAN, offline.DOSE],
        default=offline.SCAN,
        help_text="scan (a check-in), or dose (a dose record, sent after its scan).",
    )
    code = serializers.CharField(max_length=64, help_text="The code as scanned or typed.")
    attempt = serializers.CharField(max_length=40, help_text="The item's unique id: 32 lower-case hex digits.")
    scanned_at = serializers.DateTimeField(
        help_text="When the desk scanned it, or recorded the dose (within the last 24 hours)."
    )
    lot = serializers.CharField(
        max_length=64,
        required=False,
        default="",
        allow_blank=True,
        help_text="A dose's vaccine lot, as picked or typed (required for a dose).",
    )


class SyncResultSerializer(serializers.Serializer):
    attempt = serializers.CharField()
    kind = serializers.ChoiceField(choices=[offline.SCAN, offline.DOSE])
    result = serializers.ChoiceField(
        choices=list(dict.fromkeys([*REASONS, *offline.DOSE_REASONS])),
        help_text="A scan's result code (checked_in is success), or a dose's (dose_recorded is success).",
    )
    ok = serializers.BooleanField()
    code = serializers.CharField(help_text="The code as normalised.")
    repeated = serializers.BooleanField(help_text="True when this attempt was synced before: its first answer.")
    headline = serializers.CharField()
    message = serializers.CharField()


class RosterAppointmentSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    start = serializers.DateTimeField()
    vaccine = serializers.CharField()
    dose_number = serializers.IntegerField()
    flags = serializers.ListField(
        child=serializers.CharField(), help_text="Screening questions answered yes that need a clinician first."
    )
    status = serializers.CharField()
    dose_given = serializers.BooleanField()
    checked_in_at = serializers.DateTimeField(allow_null=True)
    checked_in_by = serializers.CharField(allow_null=True)


class RosterOtherDaySerializer(serializers.Serializer):
    code = serializers.CharField()
    start = serializers.DateTimeField()


class RosterSiteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    time_zone = serializers.CharField()


class RosterLotSerializer(serializers.Serializer):
    lot = serializers.CharField()
    label = serializers.CharField()


class RosterSerializer(serializers.Serializer):
    site = RosterSiteSerializer()
    day = serializers.DateField()
    generated_at = serializers.DateTimeField()
    appointments = RosterAppointmentSerializer(many=True)
    other_days = RosterOtherDaySerializer(many=True)
    lots = serializers.DictField(
        child=RosterLotSerializer(many=True, allow_null=True),
        help_text="By vaccine: the lots on hand, soonest expiry first; null where the lot is typed.",
    )


# Fleet


class DriverSerializer(FormBackedSerializer):
    form_class = DriverForm
    phone = PhoneField()
    licence_status = serializers.SerializerMethodField()
    current_truck = serializers.SerializerMethodField()

    class Meta:
        model = Driver
        fields = [
            "id",
            "first_name",
            "last_name",
            "licence_number",
            "licence_expiry",
            "licence_status",
            "phone",
            "email",
            "date_of_birth",
            "address",
            "client",
            "is_active",
            "login_email",
            "current_truck",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        # The form (and the database) decide uniqueness, in the page's words.
        extra_kwargs = {"licence_number": {"validators": []}, "login_email": {"validators": []}}

    @extend_schema_field(serializers.ChoiceField(choices=LicenceStatus.choices))
    def get_licence_status(self, driver):
        return driver.licence_status(timezone.localdate()).value

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="The code of the truck driven now."))
    def get_current_truck(self, driver):
        if hasattr(driver, "current_truck_code"):
            return driver.current_truck_code
        current = driver.current_assignment
        return current.truck.code if current else None


class ClientDriverSerializer(serializers.ModelSerializer):
    """What a client company sees of its own drivers (as on its portal)."""

    licence_status = serializers.SerializerMethodField()
    phone = PhoneField(read_only=True)
    current_truck = serializers.CharField(source="current_truck_code", allow_null=True, read_only=True)

    class Meta:
        model = Driver
        fields = ["id", "first_name", "last_name", "phone", "licence_expiry", "licence_status", "current_truck"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=LicenceStatus.choices))
    def get_licence_status(self, driver):
        return driver.licence_status(timezone.localdate()).value


class TruckSerializer(FormBackedSerializer):
    form_class = TruckForm
    # The upper bound (next year) moves with the calendar: the form checks it.
    year = serializers.IntegerField(min_value=1980, max_value=32767)
    current_driver = serializers.SerializerMethodField()

    class Meta:
        model = Truck
        fields = [
            "id",
            "code",
            "plate",
            "make",
            "model",
            "year",
            "status",
            "current_driver",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"plate": {"validators": []}}

    @extend_schema_field(serializers.IntegerField(allow_null=True, help_text="The id of the driver now."))
    def get_current_driver(self, truck):
        if hasattr(truck, "current_driver_id"):
            return truck.current_driver_id
        current = truck.current_assignment
        return current.driver_id if current else None


class AssignmentSerializer(serializers.ModelSerializer):
    driver_name = serializers.CharField(source="driver.full_name", read_only=True)
    truck_code = serializers.CharField(source="truck.code", read_only=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "driver", "driver_name", "truck", "truck_code", "since", "until", "is_current"]
        read_only_fields = fields


class AssignSerializer(serializers.Serializer):
    driver = serializers.PrimaryKeyRelatedField(queryset=Driver.objects.all())
    truck = serializers.PrimaryKeyRelatedField(queryset=Truck.objects.all())
    reassign = serializers.BooleanField(
        default=False, help_text="Take the truck from its driver and end this driver's current assignment if needed."
    )


class TruckConditionSerializer(serializers.ModelSerializer):
    readings = serializers.DictField(
        required=False, default=dict, help_text="The monitoring system's readings, as a JSON object."
    )

    class Meta:
        model = TruckCondition
        fields = ["id", "status", "odometer_km", "readings", "recorded_at", "received_at"]
        read_only_fields = ["id", "received_at"]

    def validate_recorded_at(self, value):
        if value > timezone.now() + timedelta(minutes=5):
            raise serializers.ValidationError("The reading cannot be from the future.")
        return value
