"""Export invoices, credit notes, lines, payments and totals of a date range (CSV or XLSX)."""

from django.core.management.base import BaseCommand, CommandError

from billing.exports import finance_export_csv, finance_export_get, finance_export_xlsx
from core.errors import InvalidInput


class Command(BaseCommand):
    help = (
        "Finance export of the documents issued between --from and --to (both included); "
        "columns in the README, 'Finance export'. CSV goes to stdout unless --output is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", help="file to write (required for xlsx)")
        parser.add_argument("--status", action="append", help="issued, paid or void; repeatable")
        parser.add_argument("--customer", help="customer id")
        parser.add_argument("--currency", help="e.g. COP")
        parser.add_argument("--series", help="series code, e.g. FV")
        parser.add_argument("--kind", choices=["invoice", "credit_note"])

    def handle(self, *args, **options):
        filters = {
            name: options[name]
            for name in ("date_from", "date_to", "customer", "currency", "series", "kind")
            if options[name]
        }
        if options["status"]:
            filters["status"] = options["status"]
        try:
            export = finance_export_get(filters=filters)
        except InvalidInput as error:
            raise CommandError(error.message("en")) from error
        output = options["output"]
        if options["format"] == "xlsx":
            if not output:
                raise CommandError("--output is required for --format xlsx")
            finance_export_xlsx(export, output)
            self.stderr.write(f"wrote {output}")
            return
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                handle.writelines(finance_export_csv(export))
            self.stderr.write(f"wrote {output}")
            return
        for piece in finance_export_csv(export):
            self.stdout.write(piece, ending="")
