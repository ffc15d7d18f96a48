"""Credit accounts, their append-only ledger, holds on open requests, credit blocks (what
each purchase, grant or month's included credits brought, until when, and what is left),
and the monthly allowance of included hours (what each request drew from it).

The ledger, the hash chain and the lock order are explained in `credits.ledger`; this
module declares fields and the database constraints that back the services up.
Writes go through `credits.services`; nothing else changes these rows.
"""

from decimal import Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField

from contracts.models import CURRENCY_CHOICES, Contract, Customer
from core.amounts import CREDITS_COLUMN
from core.languages import in_language
from credits.exceptions import LedgerImmutable

CREDITS = CREDITS_COLUMN
GENESIS_HASH = "0" * 64
# A person's reason for a grant or an adjustment: entries never change, so it is bounded
# before it is written, whatever the entry point (the API's limit since it has one).
REASON_LIMIT = 5000


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
    # Once an account receives credits that expire, every entry of it moves blocks
    # (`credits.blocks`); it never goes back. Accounts whose credits never expire keep their
    # balance as one implicit block and the ledger's one-statement writes.
    tracks_blocks = models.BooleanField(_("créditos por bloques"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("creado"))

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

    account = models.ForeignKey(
        CreditAccount, on_delete=models.PROTECT, related_name="holds", verbose_name=_("cuenta")
    )
    credits = models.DecimalField(_("créditos"), **CREDITS)
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    # The account's available credits right after this hold was placed, as the database
    # computed them in the same write: the backstop for "no hold beyond what is available".
    available_after = models.DecimalField(_("disponible tras retener"), **CREDITS)
    reference_type = models.CharField(_("tipo de referencia"), max_length=40, blank=True)
    reference_id = models.CharField(_("referencia"), max_length=64, blank=True)
    created_at = models.DateTimeField(verbose_name=_("creada"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("cerrada"))

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
        CreditAccount,
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,
        verbose_name=_("cuenta"),
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
        verbose_name=_("retención"),
    )
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
        verbose_name=_("revierte a"),
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
        verbose_name=_("creado por"),
    )
    reason = models.TextField(
        _("motivo"), blank=True, help_text=_("Motivo del ajuste, o la explicación del cobro.")
    )
    # The English of a reason Creditdesk wrote itself (a charge's explanation, an expiry), for
    # English readers: outside the chain's content, which covers the Spanish `reason`, so
    # `verify_ledger` does not check it; on PostgreSQL the append-only trigger keeps it as
    # written.
    reason_en = models.TextField(_("motivo en inglés"), blank=True, db_default="", default="")
    # NULL means "no key"; the partial unique constraint below ignores those rows.
    idempotency_key = models.CharField(  # noqa: DJ001
        max_length=100, null=True, blank=True, verbose_name=_("clave de idempotencia")
    )
    created_at = models.DateTimeField(verbose_name=_("creado"))
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

    @property
    def reason_shown(self) -> str:
        """The reason in the reader's language (a person's reason as they wrote it)."""
        return in_language(self.reason, self.reason_en)


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


class BlockKind(models.TextChoices):
    ALLOWANCE = "allowance", _("Créditos incluidos del mes")
    PURCHASE = "purchase", _("Compra")
    GRANT = "grant", _("Cortesía")
    REFUND = "refund", _("Devolución")
    ADJUSTMENT = "adjustment", _("Ajuste")
    RESTORED = "restored", _("Reintegro")
    # The balance an account had when it began to track blocks (never expires).
    OPENING = "opening", _("Saldo anterior")
    # What charges took beyond every block: negative, settled first by the next credits in.
    DEBT = "debt", _("Deuda")


class BlockMovementQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise LedgerImmutable()

    def delete(self) -> NoReturn:
        raise LedgerImmutable()

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise LedgerImmutable()


class CreditBlock(models.Model):
    """Credits that arrived together and expire together (`credits.blocks` has the rules).

    `credits` is what the block started with (for the opening block: the balance then; for
    the debt block: 0), `remaining` a cache of credits plus its movements. The entry that
    created a block (`sequence`) hashes its kind, credits, expiry and amount; its movements
    are hashed by the entries that made them. Changed only under its account's row lock.
    """

    Kind = BlockKind

    account = models.ForeignKey(
        CreditAccount, on_delete=models.PROTECT, related_name="blocks", verbose_name=_("cuenta")
    )
    kind = models.CharField(_("tipo"), max_length=12, choices=BlockKind.choices)
    credits = models.DecimalField(_("créditos"), **CREDITS)
    remaining = models.DecimalField(_("quedan"), **CREDITS)
    expires_at = models.DateTimeField(_("vence"), null=True, blank=True)
    # What the customer paid for the block's credits (purchases): finance values its credits
    # at amount / credits.
    amount = MoneyField(
        _("importe pagado"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        default=None,
        currency_choices=CURRENCY_CHOICES,
    )
    sequence = models.PositiveBigIntegerField(_("movimiento que lo creó"))
    reference_type = models.CharField(_("tipo de referencia"), max_length=40, blank=True)
    reference_id = models.CharField(_("referencia"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("creado"))

    class Meta:
        verbose_name = _("bloque de créditos")
        verbose_name_plural = _("bloques de créditos")
        ordering = ["account_id", "pk"]
        indexes = [
            # The expiry job's and the reminders' reads: blocks with credits left, by expiry.
            models.Index(
                fields=["expires_at"],
                condition=models.Q(remaining__gt=0, expires_at__isnull=False),
                name="credits_block_expiring_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="debt", remaining__lte=0, credits__lte=0)
                | (~models.Q(kind="debt") & models.Q(remaining__gte=0, credits__gte=0)),
                name="credits_block_sign_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(kind="debt"),
                name="credits_block_one_debt_per_account",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.remaining}/{self.credits}"


class BlockMovement(models.Model):
    """What one ledger entry took from (negative) or gave back to (positive) one block.
    Appended with its entry, never changed; `reserved` says the credits came from the
    reservation of the hold the entry converted."""

    entry = models.ForeignKey(
        LedgerEntry, on_delete=models.PROTECT, related_name="block_movements", db_index=False
    )
    block = models.ForeignKey(CreditBlock, on_delete=models.PROTECT, related_name="movements")
    credits = models.DecimalField(_("créditos"), **CREDITS)
    reserved = models.BooleanField(_("de la retención"), default=False)

    objects = BlockMovementQuerySet.as_manager()

    class Meta:
        verbose_name = _("movimiento de bloque")
        verbose_name_plural = _("movimientos de bloques")
        base_manager_name = "objects"
        ordering = ["entry_id", "block_id"]
        constraints = [
            # Also the index an entry's movements are read by.
            models.UniqueConstraint(
                fields=["entry", "block", "reserved"], name="credits_movement_once_per_block"
            ),
            models.CheckConstraint(
                condition=~models.Q(credits=0), name="credits_movement_not_zero"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} -> #{self.block_id}: {self.credits}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LedgerImmutable()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise LedgerImmutable()


class HoldAllocation(models.Model):
    """The credits of one block a hold reserves while it is active: the expiry job leaves
    them alone, and the charge that converts the hold takes them first."""

    hold = models.ForeignKey(
        CreditHold, on_delete=models.PROTECT, related_name="allocations", db_index=False
    )
    block = models.ForeignKey(CreditBlock, on_delete=models.PROTECT, related_name="allocations")
    credits = models.DecimalField(_("créditos"), **CREDITS)

    class Meta:
        verbose_name = _("reserva de bloque")
        verbose_name_plural = _("reservas de bloques")
        ordering = ["hold_id", "block_id"]
        constraints = [
            models.UniqueConstraint(fields=["hold", "block"], name="credits_allocation_once"),
            models.CheckConstraint(
                condition=models.Q(credits__gt=0), name="credits_allocation_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hold_id} -> #{self.block_id}: {self.credits}"


class PlanCreditTerms(models.Model):
    """How long a plan's credits last, and the credits it includes each month."""

    plan = models.OneToOneField(
        "contracts.Plan",
        on_delete=models.CASCADE,
        related_name="credit_terms",
        verbose_name=_("plan"),
    )
    purchase_validity_months = models.PositiveSmallIntegerField(
        _("vigencia de los créditos comprados (meses)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Vacío: no vencen. Un paquete puede tener su propia vigencia."),
    )
    grant_validity_months = models.PositiveSmallIntegerField(
        _("vigencia de las cortesías (meses)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Vacío: no vencen."),
    )
    monthly_credits = models.DecimalField(
        _("créditos incluidos por mes"),
        **CREDITS,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_(
            "Por contrato y mes calendario del cliente; vencen al terminar el mes y se usan "
            "antes que cualquier otro crédito. Vacío: ninguno."
        ),
    )

    class Meta:
        verbose_name = _("vigencia de créditos del plan")
        verbose_name_plural = _("vigencias de créditos de los planes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(monthly_credits__isnull=True) | models.Q(monthly_credits__gt=0),
                name="credits_terms_monthly_positive",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(purchase_validity_months__isnull=True)
                    | models.Q(purchase_validity_months__gt=0)
                )
                & (
                    models.Q(grant_validity_months__isnull=True)
                    | models.Q(grant_validity_months__gt=0)
                ),
                name="credits_terms_validity_positive",
            ),
        ]

    def __str__(self) -> str:
        return str(self.plan)


class PackCreditTerms(models.Model):
    """A credit pack's own validity, over its plan's."""

    pack = models.OneToOneField(
        "contracts.CreditPack",
        on_delete=models.CASCADE,
        related_name="credit_terms",
        verbose_name=_("paquete"),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("vigencia (meses)"), validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("vigencia de un paquete")
        verbose_name_plural = _("vigencias de paquetes")

    def __str__(self) -> str:
        return str(self.pack)


class LowCreditsAlert(models.Model):
    """A contract's low-credits alert: its thresholds (empty: the defaults of
    `credits.alerts`) and its state. Armed, it fires once when the customer's credits cross
    below a threshold; a top-up that lifts them back above re-arms it."""

    contract = models.OneToOneField(
        Contract,
        on_delete=models.CASCADE,
        related_name="low_credits_alert",
        verbose_name=_("contrato"),
    )
    threshold_credits = models.DecimalField(
        _("avisar con menos de estos créditos disponibles"),
        **CREDITS,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Vacío: el mínimo para abrir una solicitud más dos cobros mínimos."),
    )
    threshold_days = models.PositiveSmallIntegerField(
        _("avisar cuando el pronóstico dé menos de estos días"),
        null=True,
        blank=True,
        help_text=_("Vacío: 14 días. Cero: sin aviso por pronóstico."),
    )
    armed = models.BooleanField(_("armado"), default=True)
    crossings = models.PositiveIntegerField(_("avisos enviados"), default=0)
    alerted_at = models.DateTimeField(_("último aviso"), null=True, blank=True)
    # The account's last entry when the alert fired: credits that came in after it re-arm it.
    alerted_at_entry = models.PositiveBigIntegerField(
        default=0, verbose_name=_("movimiento que avisó")
    )

    class Meta:
        verbose_name = _("aviso de créditos bajos")
        verbose_name_plural = _("avisos de créditos bajos")

    def __str__(self) -> str:
        return str(self.contract)
