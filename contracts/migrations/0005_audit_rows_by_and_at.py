# Audit rows name who acted `by` and when `at`, as ticket and SLA events do (docs/style.md).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("contracts", "0004_plan_change_applied_at")]

    operations = [
        migrations.RenameField("contractstatuschange", "changed_by", "by"),
        migrations.RenameField("contractstatuschange", "changed_at", "at"),
        migrations.RenameField("planchange", "changed_by", "by"),
        migrations.AlterModelOptions(
            name="contractstatuschange",
            options={
                "ordering": ["at", "pk"],
                "verbose_name": "cambio de estado",
                "verbose_name_plural": "cambios de estado",
            },
        ),
    ]
