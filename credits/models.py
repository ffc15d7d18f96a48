"""Credit accounts, their append-only ledger, holds on open requests, and the monthly
allowance of included hours (what each request drew from it).

The ledger, the hash chain and the lock order are explained in `credits.ledger`; this
module declares fields and the database constraints that back the services up.
Writes go through `credits.services`; nothing else changes these rows.
"""

from decimal import Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField

from contracts.models import CURRENCY_CHOICES, Contract, Customer
from core.amounts import CREDITS_COLUMN
from credits.exceptions import LedgerImmutable

CREDITS = CREDITS_COLUMN
GENESIS_HASH = "0" * 64


class CreditAccount(models.Model):
    """One per customer. `balance` and `held` are caches kept in step with their rows.

    balance = sum of the account's ledger entries; held = sum of its active holds;
    entry_count and chain_head are the sequence and hash of its last entry, so that
    appending an entry needs nothing but this row.
    """

    customer = models.OneToOneField(
        Customer, on_delete=models.PROTECT, related_name="credit_account", verbose_name=_("cliente")
    )
    balance = models.DecimalField(_("saldo"), **CREDITS, default=Decimal("0"))
    held = models.DecimalField(_("retenido"), **CREDITS, default=Decimal("0"))
    entry_count = models.PositiveBigIntegerField(_("movimientos"), default=0)
    chain_head = models.CharField(
        _("hash del último movimiento"), max_length=64, default=GENESIS_HASH
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cuenta de créditos")
        verbose_name_plural = _("cuentas de créditos")
        ordering = ["pk"]
        permissions = [("adjust_credits", "Can adjust credits with a reason")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(held__gte=0), name="credits_account_held_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(entry_count__gte=0), name="credits_account_count_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer}: {self.balance}"

    @property
    def available(self) -> Decimal:
        return self.balance - self.held


class CreditHold(models.Model):
    """Credits reserved for an open request; released, or converted into its charge."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Activa")
        RELEASED = "released", _("Liberada")
        CONVERTED = "converted", _("Cobrada")

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="holds")
    credits = models.DecimalField(_("créditos"), **CREDITS)
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    # The account's available credits right after this hold was placed, as the database
    # computed them in the same write: the backstop for "no hold beyond what is available".
    available_after = models.DecimalField(_("disponible tras retener"), **CREDITS)
    reference_type = models.CharField(_("tipo de referencia"), max_length=40, blank=True)
    reference_id = models.CharField(_("referencia"), max_length=64, blank=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("retención")
        verbose_name_plural = _("retenciones")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["account"],
                condition=models.Q(status="active"),
                name="credits_hold_active_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(credits__gt=0), name="credits_hold_credits_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(available_after__gte=0),
                name="credits_hold_within_available",
            ),
            models.CheckConstraint(
                condition=models.Q(status="active", closed_at__isnull=True)
                | (~models.Q(status="active") & models.Q(closed_at__isnull=False)),
                name="credits_hold_closed_at_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.credits} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise LedgerImmutable()

    def delete(self) -> NoReturn:
        raise LedgerImmutable()

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        # Entries are appended one at a time by credits.services, which keeps the chain.
        raise LedgerImmutable()

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise LedgerImmutable()


class EntryKind(models.TextChoices):
    TOP_UP = "top_up", _("Recarga")
    GRANT = "grant", _("Cortesía")
    CHARGE = "charge", _("Cobro")
    NO_SHOW = "no_show", _("Inasistencia")
    REFUND = "refund", _("Devolución")
    EXPIRY = "expiry", _("Vencimiento")
    ADJUSTMENT = "adjustment", _("Ajuste")
    REVERSAL = "reversal", _("Reversión")
    PURCHASE_REFUNDED = "refunded", _("Compra reembolsada")


# Every kind belongs to exactly one sign group; the sign CHECK constraint is built from them,
# so a new kind is placed once and the database enforces it.
CREDIT_KINDS = (EntryKind.TOP_UP, EntryKind.GRANT, EntryKind.REFUND)
DEBIT_KINDS = (EntryKind.CHARGE, EntryKind.NO_SHOW, EntryKind.EXPIRY, EntryKind.PURCHASE_REFUNDED)
EITHER_SIGN_KINDS = (EntryKind.ADJUSTMENT, EntryKind.REVERSAL)
# Credits the customer used on work (reports' "consumed"), and those plus what expired
# unused (the run-out forecast's burn).
CONSUMED_KINDS = (EntryKind.CHARGE, EntryKind.NO_SHOW)
BURNED_KINDS = (*CONSUMED_KINDS, EntryKind.EXPIRY)


class LedgerEntry(models.Model):
    """One change of an account's balance. Never updated or deleted: corrections are new rows."""

    Kind = EntryKind
    CREDIT_KINDS = CREDIT_KINDS
    DEBIT_KINDS = DEBIT_KINDS
    EITHER_SIGN_KINDS = EITHER_SIGN_KINDS

    # No index of its own: the unique (account, sequence) index serves account lookups.
    account = models.ForeignKey(
        CreditAccount, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    sequence = models.PositiveBigIntegerField(_("número"))
    kind = models.CharField(_("tipo"), max_length=12, choices=Kind.choices)
    credits = models.DecimalField(_("créditos"), **CREDITS)
    balance_after = models.DecimalField(_("saldo tras el movimiento"), **CREDITS)
    amount = MoneyField(
        _("importe pagado"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        default=None,
        currency_choices=CURRENCY_CHOICES,
    )
    # These three are NULL on almost every entry. Their indexes are partial (Meta) so that
    # an append -- the hottest write in Creditdesk -- does not index three NULLs.
    hold = models.ForeignKey(
        CreditHold,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
    )
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
    )
    reference_type = models.CharField(_("tipo de referencia"), max_length=40, blank=True)
    reference_id = models.CharField(_("referencia"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
    )
    reason = models.TextField(
        _("motivo"), blank=True, help_text=_("Motivo del ajuste, o la explicación del cobro.")
    )
    # NULL means "no key"; the partial unique constraint below ignores those rows.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField()
    entry_hash = models.CharField(_("hash"), max_length=64)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("movimiento")
        verbose_name_plural = _("movimientos")
        # Django reaches rows through the base manager too (related lookups, admin): it must
        # refuse writes as `objects` does.
        base_manager_name = "objects"
        ordering = ["account_id", "sequence"]
        indexes = [
            models.Index(
                fields=["created_by"],
                condition=models.Q(created_by__isnull=False),
                name="credits_entry_created_by",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "sequence"], name="credits_entry_unique_sequence"
            ),
            # A hold becomes at most one charge; an entry is reversed at most once.
            models.UniqueConstraint(
                fields=["hold"],
                condition=models.Q(hold__isnull=False),
                name="credits_entry_unique_hold",
            ),
            models.UniqueConstraint(
                fields=["reverses"],
                condition=models.Q(reverses__isnull=False),
                name="credits_entry_unique_reverses",
            ),
            models.UniqueConstraint(
                fields=["account", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="credits_entry_unique_idempotency_key",
            ),
            models.CheckConstraint(
                condition=models.Q(sequence__gte=1), name="credits_entry_sequence_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[kind.value for kind in CREDIT_KINDS], credits__gt=0)
                | models.Q(kind__in=[kind.value for kind in DEBIT_KINDS], credits__lt=0)
                | (
                    models.Q(kind__in=[kind.value for kind in EITHER_SIGN_KINDS])
                    & ~models.Q(credits=0)
                ),
                name="credits_entry_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=[kind.value for kind in EITHER_SIGN_KINDS])
                | ~models.Q(reason=""),
                name="credits_entry_correction_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="reversal", reverses__isnull=False)
                | (~models.Q(kind="reversal") & models.Q(reverses__isnull=True)),
                name="credits_entry_reversal_names_entry",
            ),
            models.CheckConstraint(
                condition=models.Q(hold__isnull=True) | models.Q(kind="charge"),
                name="credits_entry_only_charges_convert_holds",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.get_kind_display()} {self.credits}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LedgerImmutable()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise LedgerImmutable()


class AllowanceMonth(models.Model):
    """A contract's allowance of included hours in one calendar month of its customer's time
    zone: the running totals every draw of the month locks and updates
    (`credits.allowance`), and what the monthly run has settled of the overage."""

    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="allowance_months",
        verbose_name=_("contrato"),
    )
    month = models.DateField(_("mes"), help_text=_("Primer día del mes, en la zona del cliente."))
    used_minutes = models.PositiveIntegerField(_("minutos de las horas incluidas"), default=0)
    over_minutes = models.PositiveIntegerField(_("minutos adicionales"), default=0)
    # Over minutes the monthly run has billed (money) or charged (credits): the next run
    # settles only what was drawn after it.
    settled_minutes = models.PositiveIntegerField(_("minutos adicionales liquidados"), default=0)

    class Meta:
        verbose_name = _("bolsa de horas del mes")
        verbose_name_plural = _("bolsas de horas por mes")
        ordering = ["contract_id", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "month"], name="credits_allowance_one_row_per_month"
            ),
            models.CheckConstraint(
                condition=models.Q(settled_minutes__lte=models.F("over_minutes")),
                name="credits_allowance_settles_only_over_minutes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.month:%Y-%m}: {self.used_minutes}+{self.over_minutes}"


class AllowanceDraw(models.Model):
    """What one charge of a request took from its month's allowance, and what went beyond
    it. Appended, never changed: a request charged again (reopened) draws only its new
    minutes, with the request's total after the draw as its unique key."""

    month = models.ForeignKey(
        AllowanceMonth, on_delete=models.PROTECT, related_name="draws", verbose_name=_("mes")
    )
    reference_type = models.CharField(_("tipo de referencia"), max_length=40)
    reference_id = models.CharField(_("referencia"), max_length=64)
    request_minutes = models.PositiveIntegerField(
        _("minutos facturables de la solicitud"), help_text=_("Su total tras este cargo.")
    )
    included_minutes = models.PositiveIntegerField(_("horas incluidas del mes (minutos)"))
    allowance_minutes = models.PositiveIntegerField(_("minutos de las horas incluidas"))
    over_minutes = models.PositiveIntegerField(_("minutos adicionales"))
    created_at = models.DateTimeField(_("cuándo"))

    class Meta:
        verbose_name = _("consumo de horas incluidas")
        verbose_name_plural = _("consumos de horas incluidas")
        ordering = ["created_at", "pk"]
        constraints = [
            # Also the index a request's draws are read by.
            models.UniqueConstraint(
                fields=["reference_type", "reference_id", "request_minutes"],
                name="credits_draw_once_per_request_total",
            ),
            models.CheckConstraint(
                condition=models.Q(allowance_minutes__gt=0) | models.Q(over_minutes__gt=0),
                name="credits_draw_draws_something",
            ),
        ]

    def __str__(self) -> str:
        reference = f"{self.reference_type}:{self.reference_id}"
        return f"{reference} {self.allowance_minutes}+{self.over_minutes}"
