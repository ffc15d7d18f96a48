from django.db import migrations, models
from django.db.models import CharField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat

# What failures wrote into a payment's note before the provider's words had a field of their
# own; finance's notes stay where they are.
UNCHARGED_NOTE = "auto top-up not charged"


def failures_out_of_notes(apps, schema_editor):
    Payment = apps.get_model("billing", "Payment")
    AutoTopUpAttempt = apps.get_model("billing", "AutoTopUpAttempt")
    # A confirmed transfer's origin is said by the timeline in the reader's language now.
    said_before = Concat(
        Value("Transferencia informada por el cliente (#"),
        Cast(F("transfer_report__pk"), CharField()),
        Value(")"),
    )
    Payment.objects.filter(transfer_report__isnull=False, note=said_before).update(note="")
    failed = Payment.objects.filter(status="failed")
    failed.filter(note=UNCHARGED_NOTE).update(note="", failure_code="not_charged")
    # A failed payment finance never had to look at holds only the provider's words.
    failed.filter(needs_attention=False, resolved_at__isnull=True).exclude(note="").update(
        failure_message=F("note"), note=""
    )
    failed.update(failed_at=F("updated_at"))
    # Declined before payments kept a code: their auto top-up attempt kept it.
    attempt_code = AutoTopUpAttempt.objects.filter(payment=OuterRef("pk")).values("failure_code")
    failed.filter(Q(failure_code=""), auto_top_up_attempt__isnull=False).exclude(
        auto_top_up_attempt__failure_code=""
    ).update(failure_code=Subquery(attempt_code[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0012_payment_failure_code"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="failed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="fallido"),
        ),
        migrations.AddField(
            model_name="payment",
            name="failure_message",
            field=models.TextField(blank=True, verbose_name="mensaje del proveedor sobre el fallo"),
        ),
        migrations.RunPython(failures_out_of_notes, migrations.RunPython.noop),
    ]
