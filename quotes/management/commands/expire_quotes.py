"""Mark expired the sent quotes whose validity date ended (the daily expiry job)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from quotes.services import quotes_expire


class Command(BaseCommand):
    help = (
        "Mark expired every sent quote whose validity date ended in its customer's day; "
        "running it again marks nothing more."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"expire_quotes: {quotes_expire(now=timezone.now())} quotes expired")
