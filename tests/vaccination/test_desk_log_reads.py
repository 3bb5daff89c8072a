"""The desk's last scans stay a small read however long a nurse's log grows:
a campaign of scans at two clinics, her colleagues' after hers, and the desk
page reads the few it shows, not every scan she ever made."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import UserFactory
from tests.plans import rows_read
from vaccination.models import CheckInLog, Site
from vaccination.views_clinic import _RECENT, RECENT_SCANS

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the query plan is PostgreSQL's")

SCANS = 3000
COLLEAGUES = 20


@pytest.fixture
def campaign_of_scans(clinic_staff, site):
    """Her scans here a month ago, then at another clinic; since then her
    colleagues' scans here. Neither the user's rows nor the newest rows of
    the log lead to hers here."""
    other = Site.objects.create(name="North Clinic", address="2 North Road", time_zone="Europe/Madrid")
    colleagues = UserFactory.create_batch(COLLEAGUES)
    month_ago = timezone.now() - timedelta(days=30)
    week_ago = timezone.now() - timedelta(days=7)

    def scans(user, clinic, since, count):
        return (
            CheckInLog(user=user, site=clinic, typed=f"T{n}", reason="unknown", at=since + timedelta(seconds=n))
            for n in range(count)
        )

    CheckInLog.objects.bulk_create(
        [
            *scans(clinic_staff, site, month_ago, SCANS),
            *scans(clinic_staff, other, month_ago + timedelta(days=1), SCANS),
            *(log for colleague in colleagues for log in scans(colleague, site, week_ago, SCANS // COLLEAGUES)),
        ],
        batch_size=1000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE vaccination_checkinlog")
    return clinic_staff, site


def test_the_desk_reads_its_last_scans_from_the_end_of_an_index_not_a_sort_of_all(campaign_of_scans):
    nurse, site = campaign_of_scans

    shown = _RECENT.all(nurse.pk, site.pk)

    newest_first = range(SCANS - 1, SCANS - 1 - RECENT_SCANS, -1)
    assert [log.typed for log in shown] == [f"T{n}" for n in newest_first]
    # The few shown and a few at the edges, never the 6,000 rows of her log
    # nor the 3,000 of her colleagues since.
    assert rows_read(_RECENT.build(nurse.pk, site.pk)) <= 3 * RECENT_SCANS
