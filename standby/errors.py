"""The words of the standby app's error codes, for the pages and the API alike."""

from django.utils import formats
from django.utils.translation import gettext_lazy as _

MESSAGES = {
    # Walk-ins at the desk
    "future_birth": _("The date of birth cannot be in the future."),
    "possible_duplicate": _(
        "This person may already be registered. Pick them from the list above, or check the details."
    ),
    "not_a_match": _("That person does not match the details typed. Pick one from the list or check the details."),
    "no_seat_today": _("No seat is free for the rest of today at this clinic."),
    "no_seat_today_next": _("No seat is free for the rest of today at this clinic. The next free seat is %(when)s."),
    "holds_booking": _(
        "This person already holds a booked appointment for this vaccine (code %(booking)s). "
        "Check it in with its code, or move it."
    ),
    "course_complete": _("This person has had every dose of this vaccine."),
    "too_soon": _("This person's next dose can only be given from %(day)s."),
    # The standby list
    "site_closed": _("This clinic is not taking bookings at the moment. Pick another clinic."),
    "past_day": _("That day has passed. Pick today or a later day."),
    "too_far": _("You can join the standby list for the next %(days)s days only."),
    "already_waiting": _("You are already on the standby list of this clinic. Leave it first to change the day."),
    "not_waiting": _("You are no longer on this standby list."),
    # Spare doses
    "until_passed": _("That time has passed. Give a later time today."),
    "no_vaccine": _("Pick the vaccine of the spare doses."),
    # Offers
    "forged": _("This offer link is not valid. Open the link from your message again."),
    "not_yours": _("This offer was sent to someone else. Sign in with the account that received it."),
    "used": _("You have already accepted this offer. Your appointment is below."),
    "expired": _("This offer has expired. You are still on the standby list; we will send you the next one."),
    "gone": _(
        "Sorry, the spare doses were all taken before you answered. You are still on the standby list; "
        "we will send you the next offer."
    ),
    "withdrawn": _("This offer is no longer valid. You are still on the standby list."),
    "already_booked": _(
        "You already hold an appointment that cannot be changed now, so this offer cannot be taken. "
        "You are still on the standby list."
    ),
}


class StandbyError(Exception):
    """A walk-in, standby or offer workflow refused. `code` is a key of
    MESSAGES; `params` fill its placeholders; `matches` (possible_duplicate)
    are the people the desk may mean."""

    def __init__(self, code: str, *, matches=(), **params):
        super().__init__(code)
        self.code = code
        self.params = params
        self.matches = list(matches)


def message(error: StandbyError) -> str:
    """The error in the active language. Times are passed already in the
    clinic's zone (formatting does not convert them)."""
    params = {}
    for key, value in error.params.items():
        if key == "when":
            value = formats.date_format(value, "WEEKDAY_DAY_MONTH_TIME_FORMAT")
        elif key == "day":
            value = formats.date_format(value, "LONG_DATE_FORMAT")
        params[key] = value
    words = str(MESSAGES[error.code])
    return words % params if params else words
