from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts import phones
from accounts.date_fields import MemorableDateField
from accounts.models import User
from accounts.validators import validate_name


class SignupForm(AllauthSignupForm):
    """allauth's signup with the names we address people by.

    allauth's adapter copies first_name and last_name onto the new user.
    """

    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        validators=[validate_name],
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        validators=[validate_name],
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )

    # "mobile", not "phone": allauth gives a field named phone its own meaning (sign-in by phone).
    mobile = phones.form_field(
        label=_("Mobile number"),
        required=False,
        help_text=_("Optional. Only for reminders by text message."),
    )
    date_of_birth = MemorableDateField(
        label=_("Date of birth"),
        required=False,
        help_text=_("Optional. For example 27 3 1980. Clinic staff check it against your appointment."),
    )
    reminder_channel = forms.ChoiceField(
        label=_("Remind me by"),
        choices=User.ReminderChannel.choices,
        initial=User.ReminderChannel.EMAIL,
        required=False,
        widget=forms.RadioSelect,
    )

    field_order = [
        "email",
        "first_name",
        "last_name",
        "password1",
        "password2",
        "date_of_birth",
        "mobile",
        "reminder_channel",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # allauth adds its own fields after ours; put them in reading order.
        self.order_fields(self.field_order)

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("reminder_channel") in {User.ReminderChannel.SMS, User.ReminderChannel.BOTH}
            and "mobile" not in self.errors
            and not phones.e164(cleaned.get("mobile"))
        ):
            self.add_error(
                "mobile",
                _("Enter a valid mobile number, with its country code (for example +34 600 123 456), to get texts."),
            )
        return cleaned

    def signup(self, request, user):
        """allauth's hook after the user is saved: the reminder choice."""
        user.phone = self.cleaned_data.get("mobile", "")
        user.reminder_channel = self.cleaned_data.get("reminder_channel") or User.ReminderChannel.EMAIL
        user.date_of_birth = self.cleaned_data.get("date_of_birth")
        user.save(update_fields=["phone", "reminder_channel", "date_of_birth"])


class PasswordlessSignupForm(SignupForm):
    """The same signup without a password: the person proves the address by
    the code emailed to them (accounts.passwordless) and may set a password
    later from their profile. allauth gives the account an unusable password."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("password1", None)
        self.fields.pop("password2", None)


class ProfileForm(forms.ModelForm):
    date_of_birth = MemorableDateField(
        label=_("Date of birth"),
        required=False,
        help_text=_("Optional. For example 27 3 1980. Clinic staff check it against your appointment."),
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone", "date_of_birth", "language", "reminder_channel", "wants_api"]
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "reminder_channel": forms.RadioSelect,
        }
        help_texts = {
            "phone": _("Optional. Used only to reach you about your appointments."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One of our languages, no blank choice: the one in use until the person picks.
        self.fields["language"].choices = settings.LANGUAGES
        if not self.instance.language:
            self.initial["language"] = translation.get_language()
        # A form sent without the field (an older page, the API) keeps the choice.
        self.fields["reminder_channel"].required = False
        # Those who may use the API anyway (staff, drivers, client users) are not asked.
        if self.instance.role_names or self.instance.is_staff or self.instance.is_superuser:
            del self.fields["wants_api"]
        phones.use_our_wording(self.fields["phone"])

    def clean_reminder_channel(self):
        return self.cleaned_data["reminder_channel"] or self.instance.reminder_channel

    def clean_language(self):
        # A form sent without the field (an older page) keeps what was there.
        return self.cleaned_data["language"] or self.instance.language or translation.get_language()

    def clean(self):
        cleaned = super().clean()
        channel = cleaned.get("reminder_channel")
        if (
            channel in {User.ReminderChannel.SMS, User.ReminderChannel.BOTH}
            and "phone" not in self.errors
            and not phones.e164(cleaned.get("phone"))
        ):
            self.add_error(
                "phone",
                _("Enter a valid mobile number, with its country code (for example +34 600 123 456), to get texts."),
            )
        return cleaned


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To make sure it is you."),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password
