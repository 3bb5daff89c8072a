from django.core.management.base import BaseCommand

from pagecache import fragments


class Command(BaseCommand):
    help = (
        "Forget every page part kept in the shared cache (pagecache.fragments). Run it after pointing the app at "
        "data changed outside it, such as a restored dump: the cache cannot know that the rows changed."
    )

    def handle(self, *args, **options):
        fragments.bump_all()
        self.stdout.write("Cached page parts forgotten: the next views render them afresh.")
