# Audit rows name who acted `by` and when `at`, as ticket and SLA events do (docs/style.md).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_invoice_pdf")]

    operations = [
        migrations.RenameField("invoicestatuschange", "changed_by", "by"),
        migrations.RenameField("invoicestatuschange", "changed_at", "at"),
        migrations.AlterModelOptions(name="invoicestatuschange", options={"ordering": ["at", "pk"]}),
    ]
