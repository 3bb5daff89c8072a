import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts.models import User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a verified email address who can sign in with PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            # get(), not filter(): a role group missing from the test database
            # must fail loudly, not leave a "nurse" without her role.
            self.groups.set([Group.objects.get(name=str(role)) for role in extracted])


def recent_start_today(site):
    """A slot start today at `site` that a desk can still check in: ten minutes
    ago (check-in closes an hour after a slot ends, vaccination.models.NO_SHOW_GRACE),
    or a minute past the clinic's midnight when today is younger than that."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    day_start = datetime.combine(site.today(), time(0, 1), tzinfo=site.tzinfo)
    return max(day_start, (timezone.now() - timedelta(minutes=10)).replace(second=0, microsecond=0))
