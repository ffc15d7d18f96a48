"""Lapse the free credits of expired blocks (the periodic expiry job)."""

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from credits.blocks import accounts_with_lapsed_blocks
from credits.ledger import credits_text
from credits.models import CreditAccount
from credits.services import credits_lapse_due


class Command(BaseCommand):
    help = (
        "Write an expiry entry for the free credits of every expired credit block, one "
        "account per transaction; credits an open request holds wait for it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--account", type=int, action="append", dest="accounts", help="only this account id"
        )

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        ids = accounts_with_lapsed_blocks(at=now)
        if options["accounts"]:
            ids = [pk for pk in ids if pk in set(options["accounts"])]
        touched, entries, lapsed = 0, 0, Decimal("0")
        for pk in ids:
            written = credits_lapse_due(account=CreditAccount(pk=pk), at=now)
            touched += bool(written)
            entries += len(written)
            lapsed -= sum((entry.credits for entry in written), Decimal("0"))
        self.stdout.write(
            f"expire_credits: {touched} accounts, {entries} expiry entries, "
            f"{credits_text(lapsed)} credits lapsed"
        )
