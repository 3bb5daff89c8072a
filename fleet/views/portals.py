"""The portals of drivers (their own record and truck) and client users
(the drivers of their company)."""

from datetime import timedelta

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.collation import by_name
from accounts.roles import Role, role_required
from fleet import hooks
from fleet.forms import ClientSearchForm
from fleet.models import ClientMembership, Driver
from fleet.views.common import PAGE_SIZE, BoundedPaginator
from fleet.views.trucks import clinic_days

# Portals


@require_GET
@role_required(Role.DRIVER)
def my_record(request):
    """A driver's own record and current truck; nothing of anyone else."""
    driver = Driver.objects.select_related("client").filter(user=request.user).first()
    history = []
    if driver:
        history = list(driver.assignments.select_related("truck").order_by("-since", "-id")[:10])
    current = next((assignment for assignment in history if assignment.is_current), None)
    clinics = clinic_days(current.truck if current else None)
    return render(
        request,
        "fleet/me.html",
        {
            "driver": driver,
            "current": current,
            "history": history,
            "clinics": clinics,
            "trip": next_trip(clinics),
            "sections": hooks.sections("me", request, driver) if driver else [],
        },
    )


# A driver reports this long before a mobile clinic's first appointment, to
# park and set up.
REPORT_BEFORE = timedelta(minutes=30)
CONTACTS_SHOWN = 3


def next_trip(clinics):
    """The truck's next clinic day among `clinics` (from clinic_days): where,
    the day, when to report and close, whether it is today, and whom to call
    (the clinic's staff with a phone). Follows `site.staff`, a relation to
    accounts: fleet never imports vaccination. One query, or none."""
    coming = [(day, clinic["site"]) for clinic in clinics for day in clinic["days"]]
    if not coming:
        return None
    day, site = min(coming, key=lambda pair: pair[0]["opens"])
    opens = timezone.localtime(day["opens"], site.tzinfo)
    contacts = site.staff.filter(is_active=True).exclude(phone="").order_by(*by_name("last_name", "first_name"))
    return {
        "site": site,
        "opens": opens,
        "closes": timezone.localtime(day["closes"], site.tzinfo),
        "report_at": opens - REPORT_BEFORE,
        "is_today": opens.date() == timezone.localtime(timezone=site.tzinfo).date(),
        "contacts": list(contacts[:CONTACTS_SHOWN]),
    }


def _membership(request):
    return ClientMembership.objects.select_related("client").filter(user=request.user).first()


CLIENT_DRIVER_FIELDS = ("id", "first_name", "last_name", "phone", "licence_expiry")


def client_drivers(user, query):
    """A client user's own company's drivers matching `query`, with the
    portal's fields, by name: the portal's list and its CSV."""
    return (
        Driver.objects.of_client_user(user)
        .with_current_truck()
        .search_for(user, query)
        .only(*CLIENT_DRIVER_FIELDS)
        .order_by(*by_name("last_name", "first_name"), "id")
    )


@require_GET
@role_required(Role.CLIENT_USER)
def client_portal(request):
    """A client user's own company's drivers, with limited fields."""
    membership = _membership(request)
    page = None
    search = ClientSearchForm(request.GET)
    query = search.query
    if membership:
        page = BoundedPaginator(client_drivers(request.user, query), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "fleet/client_portal.html",
        {
            "membership": membership,
            "page_obj": page,
            "q": query,
            "search_error": search.error,
            "today": timezone.localdate(),
        },
    )


@require_GET
@role_required(Role.CLIENT_USER)
def client_driver(request, pk):
    """One of the company's drivers; another company's is 404, never 403."""
    membership = _membership(request)
    if membership is None:
        raise Http404
    driver = get_object_or_404(
        Driver.objects.of_client_user(request.user).with_current_truck().only(*CLIENT_DRIVER_FIELDS), pk=pk
    )
    return render(
        request,
        "fleet/client_driver.html",
        {"membership": membership, "driver": driver, "today": timezone.localdate()},
    )
