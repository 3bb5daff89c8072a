from django.contrib import admin

from places.models import Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "postcode", "region", "country", "latitude", "longitude"]
    list_filter = ["country"]
    search_fields = ["name", "postcode", "region"]
