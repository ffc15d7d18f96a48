"""What the finance group may do in the admin (the back office): read every billing and
credits record, record transfers and resolve payments, adjust credits with a reason."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

FINANCE_PERMISSIONS = {
    "billing": [
        "view_invoice",
        "view_invoiceline",
        "view_payment",
        "add_payment",
        "change_payment",
        "view_refund",
        "view_stripeevent",
        "view_billingrun",
        "view_onsitecharge",
        "view_taxrate",
    ],
    "credits": ["view_creditaccount", "view_ledgerentry", "view_credithold", "adjust_credits"],
    "contracts": ["view_customer", "view_contract", "view_plan", "view_creditpack"],
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so a fresh
    # database gets the grants in the same migrate run.
    for label in FINANCE_PERMISSIONS:
        app_config = apps.get_app_config(label)
        # A migration's app configs are stubs without `models_module`, which
        # create_permissions takes as "no models"; mark them as having models for the call.
        had_models = getattr(app_config, "models_module", None)
        app_config.models_module = had_models or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = had_models
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    finance, _ = Group.objects.get_or_create(name="finance")
    for label, codenames in FINANCE_PERMISSIONS.items():
        finance.permissions.add(
            *Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    finance = Group.objects.filter(name="finance").first()
    if finance is None:
        return
    for label, codenames in FINANCE_PERMISSIONS.items():
        finance.permissions.remove(
            *Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_groups"),
        ("billing", "0004_invoice_pdf"),
        ("credits", "0003_refunded_purchase_kind"),
        ("contracts", "0003_plan_sla_policy"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
