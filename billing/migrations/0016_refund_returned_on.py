"""`Refund.returned_on`: the customer's day a refund was recorded, as its credit note's issue
date is. Refunds already recorded get the day of their `created_at` in their customer's zone."""

from zoneinfo import ZoneInfo

from django.db import migrations, models


def fill(apps, schema_editor) -> None:
    Refund = apps.get_model("billing", "Refund")
    for refund in Refund.objects.select_related("payment__customer").iterator():
        zone = ZoneInfo(refund.payment.customer.time_zone)
        refund.returned_on = refund.created_at.astimezone(zone).date()
        refund.save(update_fields=["returned_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0015_payment_applied_amount"),
        ("contracts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="refund",
            name="returned_on",
            field=models.DateField(null=True, verbose_name="devuelto el"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="refund",
            name="returned_on",
            field=models.DateField(verbose_name="devuelto el"),
        ),
    ]
