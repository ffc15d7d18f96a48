from django.db import migrations


def create_series(apps, schema_editor):
    QuoteSeries = apps.get_model("quotes", "QuoteSeries")
    QuoteSeries.objects.get_or_create(code="PR", defaults={"prefix": "PR"})


class Migration(migrations.Migration):
    dependencies = [("quotes", "0001_initial")]

    operations = [migrations.RunPython(create_series, migrations.RunPython.noop)]
