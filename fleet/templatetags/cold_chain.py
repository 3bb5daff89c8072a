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
    # The doses an excursion affects are the stock app's page, for those who may see them.
    can_see_doses = user.has_perm("stock.view_quarantine")
    return {
        "allowed": True,
        "truck": truck,
        "chart": coldchain.chart(truck, hours=hours),
        "can_see_doses": can_see_doses,
        "can_upload": user.has_perm("fleet.add_temperaturereading"),
    }
