"""Credit blocks (`credits.blocks`): accounts track blocks from their first credits that
expire; block movements are append-only like ledger entries (a PostgreSQL trigger refuses
UPDATE and DELETE in SQL, as 0002 does for entries)."""

import django.core.validators
import django.db.models.deletion
import djmoney.models.fields
from decimal import Decimal
from django.db import migrations, models


MOVEMENTS_APPEND_ONLY = """
CREATE TRIGGER credits_blockmovement_append_only
    BEFORE UPDATE OR DELETE ON credits_blockmovement
    FOR EACH ROW EXECUTE FUNCTION credits_ledgerentry_refuse_change();
"""

DROP = "DROP TRIGGER IF EXISTS credits_blockmovement_append_only ON credits_blockmovement;"


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(MOVEMENTS_APPEND_ONLY, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0012_plan_allowance"),
        ("credits", "0006_allowance"),
    ]

    operations = [
        migrations.AddField(
            model_name="creditaccount",
            name="tracks_blocks",
            field=models.BooleanField(default=False, verbose_name="créditos por bloques"),
        ),
        migrations.CreateModel(
            name="CreditBlock",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("allowance", "Créditos incluidos del mes"),
                            ("purchase", "Compra"),
                            ("grant", "Cortesía"),
                            ("refund", "Devolución"),
                            ("adjustment", "Ajuste"),
                            ("restored", "Reintegro"),
                            ("opening", "Saldo anterior"),
                            ("debt", "Deuda"),
                        ],
                        max_length=12,
                        verbose_name="tipo",
                    ),
                ),
                (
                    "credits",
                    models.DecimalField(decimal_places=2, max_digits=12, verbose_name="créditos"),
                ),
                (
                    "remaining",
                    models.DecimalField(decimal_places=2, max_digits=12, verbose_name="quedan"),
                ),
                ("expires_at", models.DateTimeField(blank=True, null=True, verbose_name="vence")),
                (
                    "amount_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
                            ("COP", "COP"),
                            ("USD", "USD"),
                            ("ARS", "ARS"),
                            ("VES", "VES"),
                            ("UYU", "UYU"),
                            ("CLP", "CLP"),
                            ("MXN", "MXN"),
                            ("PEN", "PEN"),
                            ("BRL", "BRL"),
                            ("EUR", "EUR"),
                        ],
                        default="COP",
                        editable=False,
                        max_length=3,
                        null=True,
                    ),
                ),
                (
                    "amount",
                    djmoney.models.fields.MoneyField(
                        blank=True,
                        currency_choices=[
                            ("COP", "COP"),
                            ("USD", "USD"),
                            ("ARS", "ARS"),
                            ("VES", "VES"),
                            ("UYU", "UYU"),
                            ("CLP", "CLP"),
                            ("MXN", "MXN"),
                            ("PEN", "PEN"),
                            ("BRL", "BRL"),
                            ("EUR", "EUR"),
                        ],
                        decimal_places=2,
                        default=None,
                        max_digits=14,
                        null=True,
                        verbose_name="importe pagado",
                    ),
                ),
                ("sequence", models.PositiveBigIntegerField(verbose_name="movimiento que lo creó")),
                (
                    "reference_type",
                    models.CharField(blank=True, max_length=40, verbose_name="tipo de referencia"),
                ),
                (
                    "reference_id",
                    models.CharField(blank=True, max_length=64, verbose_name="referencia"),
                ),
                ("created_at", models.DateTimeField(verbose_name="creado")),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="blocks",
                        to="credits.creditaccount",
                        verbose_name="cuenta",
                    ),
                ),
            ],
            options={
                "verbose_name": "bloque de créditos",
                "verbose_name_plural": "bloques de créditos",
                "ordering": ["account_id", "pk"],
            },
        ),
        migrations.CreateModel(
            name="BlockMovement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "credits",
                    models.DecimalField(decimal_places=2, max_digits=12, verbose_name="créditos"),
                ),
                ("reserved", models.BooleanField(default=False, verbose_name="de la retención")),
                (
                    "entry",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="block_movements",
                        to="credits.ledgerentry",
                    ),
                ),
                (
                    "block",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="movements",
                        to="credits.creditblock",
                    ),
                ),
            ],
            options={
                "verbose_name": "movimiento de bloque",
                "verbose_name_plural": "movimientos de bloques",
                "ordering": ["entry_id", "block_id"],
                "base_manager_name": "objects",
            },
        ),
        migrations.CreateModel(
            name="HoldAllocation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "credits",
                    models.DecimalField(decimal_places=2, max_digits=12, verbose_name="créditos"),
                ),
                (
                    "block",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="allocations",
                        to="credits.creditblock",
                    ),
                ),
                (
                    "hold",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="allocations",
                        to="credits.credithold",
                    ),
                ),
            ],
            options={
                "verbose_name": "reserva de bloque",
                "verbose_name_plural": "reservas de bloques",
                "ordering": ["hold_id", "block_id"],
            },
        ),
        migrations.CreateModel(
            name="PackCreditTerms",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "validity_months",
                    models.PositiveSmallIntegerField(
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="vigencia (meses)",
                    ),
                ),
                (
                    "pack",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="credit_terms",
                        to="contracts.creditpack",
                        verbose_name="paquete",
                    ),
                ),
            ],
            options={
                "verbose_name": "vigencia de un paquete",
                "verbose_name_plural": "vigencias de paquetes",
            },
        ),
        migrations.CreateModel(
            name="PlanCreditTerms",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "purchase_validity_months",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Vacío: no vencen. Un paquete puede tener su propia vigencia.",
                        null=True,
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="vigencia de los créditos comprados (meses)",
                    ),
                ),
                (
                    "grant_validity_months",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Vacío: no vencen.",
                        null=True,
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="vigencia de las cortesías (meses)",
                    ),
                ),
                (
                    "monthly_credits",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        help_text="Por contrato y mes calendario del cliente; vencen al terminar el mes y se usan antes que cualquier otro crédito. Vacío: ninguno.",
                        max_digits=12,
                        null=True,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.01"))],
                        verbose_name="créditos incluidos por mes",
                    ),
                ),
                (
                    "plan",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="credit_terms",
                        to="contracts.plan",
                        verbose_name="plan",
                    ),
                ),
            ],
            options={
                "verbose_name": "vigencia de créditos del plan",
                "verbose_name_plural": "vigencias de créditos de los planes",
            },
        ),
        migrations.AddIndex(
            model_name="creditblock",
            index=models.Index(
                condition=models.Q(("expires_at__isnull", False), ("remaining__gt", 0)),
                fields=["expires_at"],
                name="credits_block_expiring_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="creditblock",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("credits__lte", 0), ("kind", "debt"), ("remaining__lte", 0)),
                    models.Q(
                        models.Q(("kind", "debt"), _negated=True),
                        ("credits__gte", 0),
                        ("remaining__gte", 0),
                    ),
                    _connector="OR",
                ),
                name="credits_block_sign_matches_kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="creditblock",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "debt")),
                fields=("account",),
                name="credits_block_one_debt_per_account",
            ),
        ),
        migrations.AddConstraint(
            model_name="blockmovement",
            constraint=models.UniqueConstraint(
                fields=("entry", "block", "reserved"), name="credits_movement_once_per_block"
            ),
        ),
        migrations.AddConstraint(
            model_name="blockmovement",
            constraint=models.CheckConstraint(
                condition=models.Q(("credits", 0), _negated=True), name="credits_movement_not_zero"
            ),
        ),
        migrations.AddConstraint(
            model_name="holdallocation",
            constraint=models.UniqueConstraint(
                fields=("hold", "block"), name="credits_allocation_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="holdallocation",
            constraint=models.CheckConstraint(
                condition=models.Q(("credits__gt", 0)), name="credits_allocation_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="plancreditterms",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("monthly_credits__isnull", True), ("monthly_credits__gt", 0), _connector="OR"
                ),
                name="credits_terms_monthly_positive",
            ),
        ),
        migrations.AddConstraint(
            model_name="plancreditterms",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("purchase_validity_months__isnull", True),
                        ("purchase_validity_months__gt", 0),
                        _connector="OR",
                    ),
                    models.Q(
                        ("grant_validity_months__isnull", True),
                        ("grant_validity_months__gt", 0),
                        _connector="OR",
                    ),
                ),
                name="credits_terms_validity_positive",
            ),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
