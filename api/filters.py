import django_filters
from django.utils import timezone

from fleet.models import Assignment, Client, Driver, Truck, TruckStatus
from vaccination.models import Site, Slot, Vaccine


class SlotFilter(django_filters.FilterSet):
    site = django_filters.ModelChoiceFilter(queryset=Site.objects.filter(is_active=True))
    vaccine = django_filters.ModelChoiceFilter(queryset=Vaccine.objects.all())
    day = django_filters.DateFilter(method="filter_day", help_text="A day in the clinic's own time zone.")

    class Meta:
        model = Slot
        fields = ["site", "vaccine", "day"]

    def filter_day(self, queryset, name, value):
        site = self.form.cleaned_data.get("site")
        if site is not None:
            return queryset.on_local_day(site, value)
        return queryset.filter(start__date=value)


class DriverFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", max_length=100, help_text="Name, licence number, phone, email or current truck code."
    )
    active = django_filters.BooleanFilter(field_name="is_active")
    client = django_filters.ModelChoiceFilter(queryset=Client.objects.all())
    licence = django_filters.ChoiceFilter(
        method="filter_licence",
        choices=[("expiring", "expiring"), ("expired", "expired"), ("attention", "attention")],
        help_text="expiring within 30 days, expired, or either (attention).",
    )

    class Meta:
        model = Driver
        fields = ["search", "active", "client", "licence"]

    def filter_search(self, queryset, name, value):
        return queryset.search_for(self.request.user, value)

    def filter_licence(self, queryset, name, value):
        today = timezone.localdate()
        return {
            "expiring": queryset.licence_expiring,
            "expired": queryset.licence_expired,
            "attention": queryset.licence_needs_attention,
        }[value](today)


class TruckFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", max_length=40, help_text="Code or number plate.")
    status = django_filters.ChoiceFilter(choices=TruckStatus.choices)

    class Meta:
        model = Truck
        fields = ["search", "status"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)


class AssignmentFilter(django_filters.FilterSet):
    current = django_filters.BooleanFilter(field_name="until", lookup_expr="isnull", help_text="Only current ones.")

    class Meta:
        model = Assignment
        fields = ["driver", "truck", "current"]
