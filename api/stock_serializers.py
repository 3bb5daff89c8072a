"""Serializers of the vaccine's side: lots, stock on hand, movements, and
the trucks' temperatures and excursions."""

from rest_framework import serializers

from fleet.models import Excursion, TemperatureReading
from stock.models import Lot, StockLevel, StockMovement


class LotSerializer(serializers.ModelSerializer):
    vaccine_name = serializers.CharField(source="vaccine.name", read_only=True)
    min_celsius = serializers.FloatField()
    max_celsius = serializers.FloatField()

    class Meta:
        model = Lot
        fields = [
            "id",
            "vaccine",
            "vaccine_name",
            "number",
            "expires_on",
            "doses_per_vial",
            "open_vial_hours",
            "min_celsius",
            "max_celsius",
            "status",
        ]
        read_only_fields = fields


class StockLevelSerializer(serializers.ModelSerializer):
    lot_number = serializers.CharField(source="lot.number", read_only=True)
    expires_on = serializers.DateField(source="lot.expires_on", read_only=True)
    lot_status = serializers.CharField(source="lot.status", read_only=True)

    class Meta:
        model = StockLevel
        fields = ["id", "lot", "lot_number", "expires_on", "lot_status", "site", "truck", "quantity"]
        read_only_fields = fields


class StockMovementSerializer(serializers.ModelSerializer):
    lot_number = serializers.CharField(source="lot.number", read_only=True)

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "at",
            "lot",
            "lot_number",
            "kind",
            "quantity",
            "site",
            "truck",
            "transfer",
            "reason",
            "counted",
            "note",
            "appointment",
        ]
        read_only_fields = fields


class TemperatureReadingSerializer(serializers.ModelSerializer):
    class Meta:
        model = TemperatureReading
        fields = ["at", "celsius"]


class ReadingInSerializer(serializers.Serializer):
    """One reading as a logger sends it (documentation; the batch is validated as a whole)."""

    at = serializers.DateTimeField(help_text="ISO 8601 with a UTC offset; not in the future.")
    celsius = serializers.FloatField(help_text="Between -90 and 90 °C.")


class ReadingsInSerializer(serializers.Serializer):
    readings = ReadingInSerializer(many=True, help_text="Up to 10,000 readings; idempotent on (truck, at).")


class IngestResultSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="Distinct instants in the call.")
    stored = serializers.IntegerField(help_text="New readings; the others were stored before.")
    duplicates = serializers.IntegerField()
    excursions = serializers.ListField(child=serializers.IntegerField(), help_text="New excursions' ids.")


class ExcursionSerializer(serializers.ModelSerializer):
    truck_code = serializers.CharField(source="truck.code", read_only=True)
    minutes = serializers.IntegerField(read_only=True)

    class Meta:
        model = Excursion
        fields = [
            "id",
            "truck",
            "truck_code",
            "started_at",
            "ended_at",
            "last_out_at",
            "minutes",
            "low_celsius",
            "high_celsius",
            "worst_celsius",
            "detected_at",
        ]
        read_only_fields = fields


class AffectedDoseSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    lot_number = serializers.CharField(source="lot.number")
    appointment = serializers.IntegerField(source="appointment.pk")
    code = serializers.CharField(source="appointment.code")
    person = serializers.CharField(source="appointment.person.get_full_name")
    email = serializers.EmailField(source="appointment.person.email")
    clinic = serializers.CharField(source="appointment.slot.site.name")
