from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts import phones
from accounts.collation import by_name
from accounts.models import normalize_email
from fleet import hooks
from fleet.models import Client, Driver, Truck, TruckStatus
from fleet.services import link_login

# Each sort's ordering, built when the list is read: names are compared by
# the rules of the reader's language (accounts.collation).
DRIVER_SORTS = {
    "name": lambda: (*by_name("last_name", "first_name"), "id"),
    "-name": lambda: (*by_name("-last_name", "-first_name"), "-id"),
    "licence": lambda: ("licence_number",),
    "-licence": lambda: ("-licence_number",),
    "expiry": lambda: ("licence_expiry", "id"),
    "-expiry": lambda: ("-licence_expiry", "-id"),
    # Drivers without a company come last either way, on every database.
    "client": lambda: (*by_name("client__name", "last_name", "first_name", nulls_last=True), "id"),
    "-client": lambda: (*by_name("-client__name", nulls_last=True), *by_name("-last_name", "-first_name"), "-id"),
}

TRUCK_SORTS = {
    "code": ("code",),
    "-code": ("-code",),
    "plate": ("plate",),
    "-plate": ("-plate",),
    "year": ("year", "code"),
    "-year": ("-year", "code"),
    "status": ("status", "code"),
    "-status": ("-status", "code"),
}


def _filter_helper(form, search, *rows):
    """The search box, then the other filters: on a phone those fold under a
    "More filters" button (open when one of them is set: data-set), so the
    list starts on the first screen; from a tablet up they are always shown."""
    helper = FormHelper()
    helper.form_method = "get"
    helper.form_tag = False
    helper.disable_csrf = True
    names = [name for name, _css in rows if name != "sort"]
    chosen = sum(1 for name in names if form.data.get(name))
    toggle = _("More filters") if not chosen else _("More filters (%(n)s set)") % {"n": chosen}
    helper.layout = Layout(
        Row(
            Column(search[0], css_class=search[1]),
            # static/js/more-filters.js shows the button and folds the filters
            # on a phone; without it (a script that did not load on one bar of
            # signal) every filter simply stays in view.
            HTML(
                format_html(
                    '<div class="col-12 d-md-none"><button type="button" class="btn btn-outline-secondary mb-3"'
                    ' data-more-filters aria-expanded="true" aria-controls="more-filters" hidden>{}</button></div>',
                    toggle,
                )
            ),
            # From a tablet up, .more-filters is display: contents (fleet.css):
            # its columns share the search box's row.
            Div(
                Row(*[Column(name, css_class=css) for name, css in rows], css_class="g-2"),
                css_id="more-filters",
                css_class="col-12 more-filters",
                **({"data_set": str(chosen)} if chosen else {}),
            ),
            css_class="g-2",
        ),
    )
    return helper


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """Reads the choices with one plain query. Django's own iterator uses
    queryset.iterator(), a server-side cursor on PostgreSQL: three round
    trips (DECLARE, FETCH, CLOSE) for a list of a few companies."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in list(self.queryset):
            yield self.choice(obj)


class ListedModelChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator


class DriverFilterForm(forms.Form):
    """The driver list's search, filters and sort, read from the query string."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, licence, phone, email or truck code")}),
    )
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), ("yes", _("Active only")), ("no", _("Inactive only"))],
    )
    client = ListedModelChoiceField(
        label=_("Client company"), required=False, queryset=Client.objects.all(), empty_label=_("All companies")
    )
    licence = forms.ChoiceField(
        label=_("Licence"),
        required=False,
        choices=[
            ("", _("Any licence")),
            ("attention", _("Expired or expiring within 30 days")),
            ("expiring", _("Expiring within 30 days")),
            ("expired", _("Expired")),
            ("expired_driving", _("Expired, still holding a truck")),
        ],
    )
    readiness = forms.ChoiceField(
        label=_("Readiness"), required=False, choices=[("", _("Ready or not")), ("not_ready", _("Not ready today"))]
    )
    # On a phone the table headers are hidden, so sorting is a field there.
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Name, A to Z")),
            ("-name", _("Name, Z to A")),
            ("expiry", _("Licence expiry, soonest first")),
            ("-expiry", _("Licence expiry, latest first")),
            ("licence", _("Licence number")),
            ("-licence", _("Licence number, descending")),
            ("client", _("Client company, A to Z")),
            ("-client", _("Client company, Z to A")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _filter_helper(
            self,
            ("q", "col-12 col-lg-4"),
            ("active", "col-12 col-sm-6 col-lg-2"),
            ("client", "col-12 col-sm-6 col-lg-3"),
            ("licence", "col-12 col-sm-6 col-lg-3"),
            ("readiness", "col-12 col-sm-6 col-lg-3"),
            ("sort", "col-12 d-md-none"),
        )

    def filter(self, drivers):
        """Apply the valid filters to `drivers`; invalid values are ignored."""
        data = self.cleaned_data if self.is_valid() else {}
        drivers = drivers.search(data.get("q", ""))
        if data.get("active") == "yes":
            drivers = drivers.filter(is_active=True)
        elif data.get("active") == "no":
            drivers = drivers.filter(is_active=False)
        if data.get("client"):
            drivers = drivers.filter(client=data["client"])
        licence = data.get("licence")
        if licence == "attention":
            drivers = drivers.licence_needs_attention()
        elif licence == "expiring":
            drivers = drivers.licence_expiring()
        elif licence == "expired":
            drivers = drivers.licence_expired()
        elif licence == "expired_driving":
            drivers = drivers.driving_on_expired_licence()
        if data.get("readiness") == "not_ready":
            drivers = drivers.filter(hooks.not_ready(Driver, timezone.localdate()))
        return drivers.order_by(*DRIVER_SORTS[self.sort_key]())

    @property
    def sort_key(self):
        sort = self.cleaned_data.get("sort") if self.is_valid() else ""
        return sort or "name"


class TruckFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Code or number plate")}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status")), *TruckStatus.choices])
    readiness = forms.ChoiceField(
        label=_("Readiness"), required=False, choices=[("", _("Ready or not")), ("not_ready", _("Not ready today"))]
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("code", _("Code")),
            ("-code", _("Code, descending")),
            ("plate", _("Plate")),
            ("-year", _("Newest first")),
            ("year", _("Oldest first")),
            ("status", _("Status")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _filter_helper(
            self,
            ("q", "col-12 col-md-6"),
            ("status", "col-12 col-sm-6 col-md-3"),
            ("readiness", "col-12 col-sm-6 col-md-3"),
            ("sort", "col-12 d-md-none"),
        )

    def filter(self, trucks):
        data = self.cleaned_data if self.is_valid() else {}
        trucks = trucks.search(data.get("q", ""))
        if data.get("status"):
            trucks = trucks.filter(status=data["status"])
        if data.get("readiness") == "not_ready":
            trucks = trucks.filter(hooks.not_ready(Truck, timezone.localdate()))
        return trucks.order_by(*TRUCK_SORTS[self.sort_key])

    @property
    def sort_key(self):
        sort = self.cleaned_data.get("sort") if self.is_valid() else ""
        return sort or "code"


class ClientSearchForm(forms.Form):
    """The client portal's search box. A Form, so a NUL byte or an overlong
    query is refused with a message instead of reaching the database."""

    q = forms.CharField(required=False, max_length=100)

    @property
    def query(self) -> str:
        return self.cleaned_data["q"] if self.is_valid() else ""

    @property
    def error(self) -> str:
        return self.errors["q"][0] if not self.is_valid() and "q" in self.errors else ""


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DriverForm(forms.ModelForm):
    """Create or edit a driver. The login is named by its email address; the
    account that uses it is linked by fleet.services.link_login, which never
    tells whether an account uses the address."""

    class Meta:
        model = Driver
        fields = [
            "first_name",
            "last_name",
            "licence_number",
            "licence_expiry",
            "phone",
            "email",
            "date_of_birth",
            "address",
            "client",
            "is_active",
            "login_email",
        ]
        widgets = {
            "licence_expiry": DateInput(),
            "date_of_birth": DateInput(),
            "address": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        phones.use_our_wording(self.fields["phone"])

    def clean_login_email(self):
        email = normalize_email(self.cleaned_data.get("login_email"))
        # Said of drivers, never of accounts: which addresses have an account stays unknown here.
        if email and Driver.objects.filter(login_email=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another driver already signs in with this email."))
        return email

    def save(self, commit=True):
        driver = super().save(commit=commit)
        if commit:
            link_login(driver=driver, email=driver.login_email)
        return driver


class TruckForm(forms.ModelForm):
    class Meta:
        model = Truck
        fields = ["code", "plate", "make", "model", "year", "status"]
        widgets = {"code": forms.TextInput(attrs={"autocapitalize": "characters", "placeholder": "TRK-0042"})}


class AssignForm(forms.Form):
    truck = forms.ModelChoiceField(label=_("Truck"), queryset=Truck.objects.none(), empty_label=_("Choose a truck"))
    reassign = forms.BooleanField(
        label=_("Take the truck from its current driver and end this driver's current assignment if needed"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        trucks = Truck.objects.filter(status=TruckStatus.ACTIVE).with_current_driver().order_by("code")
        self.fields["truck"].queryset = trucks
        self.fields["truck"].label_from_instance = self._truck_label

    @staticmethod
    def _truck_label(truck):
        if truck.current_driver_id:
            return _("%(code)s (%(make)s %(model)s) — driven by %(name)s") % {
                "code": truck.code,
                "make": truck.make,
                "model": truck.model,
                "name": f"{truck.current_driver_first_name} {truck.current_driver_last_name}",
            }
        return _("%(code)s (%(make)s %(model)s) — free") % {
            "code": truck.code,
            "make": truck.make,
            "model": truck.model,
        }
