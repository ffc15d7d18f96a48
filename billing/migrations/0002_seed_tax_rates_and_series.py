from datetime import date
from decimal import Decimal

from django.db import migrations

TAX_RATES = [
    ("CO", "IVA", Decimal("19.00")),
    ("AR", "IVA", Decimal("21.00")),
    ("VE", "IVA", Decimal("16.00")),
]
SERIES = [
    ("FV", "invoice", "FV-"),
    ("NC", "credit_note", "NC-"),
]


def seed(apps, schema_editor):
    TaxRate = apps.get_model("billing", "TaxRate")
    InvoiceSeries = apps.get_model("billing", "InvoiceSeries")
    for country, name, rate in TAX_RATES:
        TaxRate.objects.get_or_create(
            country=country, valid_from=date(2000, 1, 1), defaults={"name": name, "rate": rate}
        )
    for code, kind, prefix in SERIES:
        InvoiceSeries.objects.get_or_create(code=code, defaults={"kind": kind, "prefix": prefix})


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
