"""Re-check every credit account: balances against entries, holds, and the hash chain."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from credits.selectors import ledger_verify


class Command(BaseCommand):
    help = (
        "Recompute every account's balance from its ledger entries and re-check the hash "
        "chain; exit 0 with a one-line summary, or non-zero naming each broken account."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--account", type=int, action="append", dest="accounts", help="only this account id"
        )

    def handle(self, *args, **options) -> None:
        result = ledger_verify(account_ids=options["accounts"])
        for broken in result.broken:
            self.stderr.write(str(broken))
        if not result.ok:
            raise CommandError(result.summary())
        self.stdout.write(result.summary())
