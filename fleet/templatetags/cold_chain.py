"""{% truck_temperatures truck %}: the truck page's last 24 hours of fridge
temperatures, drawn on the server (fleet.coldchain.chart)."""

from django import template

from fleet import coldchain

register = template.Library()


@register.inclusion_tag("fleet/_temperature_chart.html", takes_context=True)
def truck_temperatures(context, truck, hours=24):
    user = context["request"].user
    if not user.has_perm("fleet.view_temperaturereading"):
        return {"allowed": False}
    return {"allowed": True, "truck": truck, "chart": coldchain.chart(truck, hours=hours)}
