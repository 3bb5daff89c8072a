"""What the standby app holds about a person, for accounts.personal_data:
their standby entries and offers in the download; on account deletion they
leave every list and their open offers are withdrawn (the rows stay, as the
campaign's count of offers, pointing at the anonymised account)."""

from django.dispatch import receiver
from django.utils import timezone

from accounts.personal_data import account_deleting, personal_data_requested
from standby.models import Offer, StandbyEntry


def _when(moment):
    return moment.isoformat() if moment else None


@receiver(personal_data_requested)
def _standby(sender, user, **kwargs):
    entries = StandbyEntry.objects.filter(person=user).select_related("site").prefetch_related("offers")
    return "standby", [
        {
            "clinic": entry.site.name,
            "from": entry.first_day.isoformat(),
            "until": entry.last_day.isoformat(),
            "can_arrive_within_minutes": entry.arrive_within,
            "joined_at": _when(entry.created_at),
            "left_at": _when(entry.left_at),
            "offers": [
                {"sent_at": _when(o.created_at), "status": o.status, "accepted_at": _when(o.accepted_at)}
                for o in entry.offers.all()
            ],
        }
        for entry in entries.order_by("created_at", "pk")
    ]


@receiver(account_deleting)
def _leave_every_list(sender, user, **kwargs):
    Offer.objects.filter(entry__person=user, status=Offer.Status.OPEN).update(status=Offer.Status.WITHDRAWN)
    StandbyEntry.objects.filter(person=user, left_at__isnull=True).update(
        left_at=timezone.now(), outcome=StandbyEntry.Outcome.LEFT
    )
