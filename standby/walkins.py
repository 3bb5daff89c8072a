"""Walk-ins at the clinic desk: someone without an appointment is registered,
takes a free seat later today through the booking service (same seat
counter, same race guarantees as booking online), and is checked in at once."""

from django.db import transaction
from django.db.models import Q

from accounts import phones
from accounts.collation import by_name
from accounts.models import User, normalize_email, placeholder_email, same_email
from standby.errors import StandbyError
from vaccination import checkin, services
from vaccination.models import Appointment, Slot
from vaccination.services import BookingError

MAX_MATCHES = 10


def find_matches(*, email: str = "", first_name: str = "", last_name: str = "", date_of_birth=None) -> list:
    """People who may be this walk-in: the same email, or the same name and
    date of birth (any case). Dependents and walk-ins without email included."""
    query = matching(email=email, first_name=first_name, last_name=last_name, date_of_birth=date_of_birth)
    return [] if query is None else list(query[:MAX_MATCHES])


def matching(*, email: str = "", first_name: str = "", last_name: str = "", date_of_birth=None):
    """find_matches' query, by name; None when there is nothing to match on.
    The address and the date of birth each have an index (accounts.models)."""
    same = Q()
    if email:
        same |= Q(same_email(email))
    if first_name and last_name and date_of_birth:
        same |= Q(
            first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip(), date_of_birth=date_of_birth
        )
    if not same:
        return None
    return User.objects.filter(same, is_active=True).order_by(*by_name("last_name", "first_name"), "pk")


def register_walk_in(
    *,
    site,
    vaccine,
    desk_user,
    first_name: str,
    last_name: str,
    date_of_birth,
    phone: str = "",
    email: str = "",
    person=None,
) -> Appointment:
    """Register a walk-in at `site` for `vaccine` and check them in now.

    With `person` None and nobody matching (find_matches), a person is
    created (no usable password; a placeholder address when no email is
    given). With matches, the desk must pick one of them as `person`: no
    duplicate person is made. The earliest later slot today with a free seat
    is booked through vaccination.services.book, marked as a walk-in, and
    checked in (vaccination.checkin). All in one transaction: a refusal
    changes nothing.
    Errors (StandbyError): future_birth, possible_duplicate, not_a_match,
    holds_booking, course_complete, too_soon, no_seat_today(_next).
    """
    if date_of_birth and date_of_birth > site.today():
        raise StandbyError("future_birth")
    matches = find_matches(email=email, first_name=first_name, last_name=last_name, date_of_birth=date_of_birth)
    if person is None and matches:
        raise StandbyError("possible_duplicate", matches=matches)
    if person is not None and person.pk not in {match.pk for match in matches}:
        raise StandbyError("not_a_match", matches=matches)
    with transaction.atomic():
        if person is None:
            person = User(
                email=normalize_email(email) or placeholder_email(),
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                phone=phones.e164(phone),
                date_of_birth=date_of_birth,
            )
            person.set_unusable_password()
            person.save()
        appointment = _book_today(person=person, site=site, vaccine=vaccine)
        result = checkin.check_in(code=appointment.code, desk_user=desk_user, site=site)
        if not result.ok:  # the seat was taken a moment ago, today, at this clinic: cannot happen
            raise RuntimeError(f"a walk-in's new appointment was refused at check-in: {result.reason}")
    return Appointment.objects.with_details().select_related("person").get(pk=appointment.pk)


def _book_today(*, person, site, vaccine) -> Appointment:
    """The earliest later slot today with a seat, through the booking service.
    A slot that fills or starts under us is skipped for the next one."""
    free = Slot.objects.bookable().on_local_day(site, site.today()).filter(vaccine=vaccine).order_by("start")
    for slot in free:
        try:
            return services.book(person=person, slot=slot, source=Appointment.Source.WALK_IN)
        except BookingError as error:
            if error.code in ("slot_full", "slot_started"):
                continue
            raise _desk_error(error, person, vaccine) from None
    upcoming = Slot.objects.bookable().filter(site=site, vaccine=vaccine).order_by("start").first()
    if upcoming is None:
        raise StandbyError("no_seat_today")
    raise StandbyError("no_seat_today_next", when=upcoming.local_start)


def _desk_error(error: BookingError, person, vaccine) -> StandbyError:
    if error.code == "already_booked":
        held = Appointment.objects.booked().filter(person=person, vaccine=vaccine).first()
        return StandbyError("holds_booking", booking=held.code if held else "—")
    if error.code == "too_soon":
        return StandbyError("too_soon", day=error.earliest)
    if error.code == "course_complete":
        return StandbyError("course_complete")
    return StandbyError("no_seat_today")
