"""Invoices, credit notes, tax rates, payments and the Stripe mirror.

Rows here are written only by `billing.services`. What the database itself guarantees:

- a number is unique within its series, and only non-draft invoices carry one;
- every amount of an invoice and of its lines is in the invoice's currency (CHECK);
- total = subtotal + tax on invoices and on lines (CHECK);
- a monthly period is invoiced once per contract (partial UNIQUE);
- a provider's payment id is recorded once (partial UNIQUE);
- on PostgreSQL, triggers refuse UPDATE of an issued invoice's content and DELETE of issued
  invoices and their lines (migration 0003).

`Invoice.save` refuses content changes to an issued invoice as the ORM-level guard; the only
changes after issue are the status moving to paid or void and their timestamps.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from djmoney.models.fields import MoneyField

from billing.declines import CODE_LENGTH
from billing.exceptions import InvoiceImmutable
from contracts.models import CURRENCY_CHOICES, Contract, CreditPack, Customer, Plan
from core.amounts import CREDITS_COLUMN, MONEY_COLUMN
from core.formatting import money_text

MONEY = {**MONEY_COLUMN, "currency_choices": CURRENCY_CHOICES}
CREDITS = CREDITS_COLUMN


# total = subtotal + tax. Written as "within half a cent" because SQLite keeps decimals as
# binary floats (333.33 + 63.33 != 396.66 there); with two-decimal columns on PostgreSQL
# this is exact equality.
HALF_CENT = Decimal("0.005")


def _total_is_sum() -> Q:
    return Q(
        total__gt=F("subtotal") + F("tax") - HALF_CENT,
        total__lt=F("subtotal") + F("tax") + HALF_CENT,
    )


def _same_currency(prefix: str, *fields: str) -> models.CheckConstraint:
    condition = Q()
    for field in fields:
        condition &= Q(**{f"{field}_currency": F("currency")})
    return models.CheckConstraint(condition=condition, name=f"{prefix}_amounts_in_currency")


class InvoiceSeries(models.Model):
    """A numbering series. `next_number` is read and bumped under a row lock at issue time."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Factura")
        CREDIT_NOTE = "credit_note", _("Nota crédito")

    code = models.SlugField(_("código"), max_length=20, unique=True)
    kind = models.CharField(_("tipo"), max_length=12, choices=Kind.choices)
    prefix = models.CharField(_("prefijo"), max_length=10)
    next_number = models.PositiveBigIntegerField(_("siguiente número"), default=1)

    class Meta:
        verbose_name = _("serie de facturación")
        verbose_name_plural = _("series de facturación")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_number__gte=1), name="billing_series_next_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.prefix})"


class TaxRate(models.Model):
    """A country's sales tax rate from a date on; the rate in force is the latest started."""

    country = models.CharField(_("país"), max_length=2)
    name = models.CharField(_("nombre"), max_length=40, default="IVA")
    rate = models.DecimalField(_("tarifa (%)"), max_digits=5, decimal_places=2)
    valid_from = models.DateField(_("vigente desde"))

    class Meta:
        verbose_name = _("tarifa de impuesto")
        verbose_name_plural = _("tarifas de impuesto")
        ordering = ["country", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "valid_from"], name="billing_taxrate_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0, rate__lte=100), name="billing_taxrate_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.name} {self.rate}% ({self.valid_from})"


class Invoice(models.Model):
    _loaded: dict[str, Any]  # the content as read from the database (see `save`)

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Factura")
        CREDIT_NOTE = "credit_note", _("Nota crédito")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Borrador")
        ISSUED = "issued", _("Emitida")
        PAID = "paid", _("Pagada")
        VOID = "void", _("Anulada")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Manual")
        TOP_UP = "top_up", _("Compra de créditos")
        MONTHLY = "monthly", _("Facturación mensual")
        SUBSCRIPTION = "subscription", _("Suscripción Stripe")
        CORRECTION = "correction", _("Corrección")

    # Fields that may change after issue; everything else is frozen (see `save`).
    MUTABLE_AFTER_ISSUE = frozenset({"status", "paid_at", "voided_at", "void_reason"})

    kind = models.CharField(_("tipo"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    source = models.CharField(
        _("origen"), max_length=12, choices=Source.choices, default=Source.MANUAL
    )
    status = models.CharField(
        _("estado"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    series = models.ForeignKey(
        InvoiceSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
        verbose_name=_("serie"),
    )
    number = models.PositiveBigIntegerField(_("número"), null=True, blank=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("cliente")
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
        verbose_name=_("contrato"),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("corrige a"),
    )
    correction_reason = models.TextField(_("motivo de la corrección"), blank=True)
    # A credit note's finance form's one-time key: a second submit of the form (a double
    # click, a browser retrying) gets the note the first issued, not another one.
    submission_key = models.UUIDField(
        null=True, blank=True, editable=False, verbose_name=_("clave del formulario enviado")
    )
    currency = models.CharField(_("moneda"), max_length=3, choices=CURRENCY_CHOICES)
    subtotal = MoneyField(_("base"), **MONEY, default=Decimal("0"))
    tax = MoneyField(_("impuesto"), **MONEY, default=Decimal("0"))
    total = MoneyField(_("total"), **MONEY, default=Decimal("0"))
    period_start = models.DateField(_("periodo desde"), null=True, blank=True)
    period_end = models.DateField(_("periodo hasta"), null=True, blank=True)
    issued_on = models.DateField(_("fecha de emisión"), null=True, blank=True)
    due_on = models.DateField(_("vencimiento"), null=True, blank=True)
    # The day after due_on plus the plan's grace days, fixed at issue: unpaid on this day, the
    # customer is administratively insolvent.
    insolvent_on = models.DateField(_("insolvente desde"), null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True, verbose_name=_("emitida"))
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("pagada"))
    voided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("anulada"))
    void_reason = models.TextField(_("motivo de anulación"), blank=True)
    # The buyer as it was at issue time; later edits of the customer never touch an invoice.
    buyer_legal_name = models.CharField(_("razón social"), max_length=200, blank=True)
    buyer_tax_id = models.CharField(_("identificación tributaria"), max_length=40, blank=True)
    buyer_address = models.TextField(_("dirección"), blank=True)
    buyer_country = models.CharField(_("país"), max_length=2, blank=True)
    buyer_email = models.EmailField(_("correo"), blank=True)
    buyer_tax_exempt = models.BooleanField(_("exento"), default=False)
    stripe_invoice_id = models.CharField(
        max_length=255, null=True, blank=True, unique=True, verbose_name=_("factura en Stripe")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("creada"))

    class Meta:
        verbose_name = _("factura")
        verbose_name_plural = _("facturas")
        ordering = ["-issued_on", "-number", "-pk"]
        indexes = [
            models.Index(fields=["customer", "status"], name="billing_invoice_cust_status"),
            models.Index(
                fields=["insolvent_on"],
                condition=Q(status="issued", kind="invoice"),
                name="billing_invoice_unpaid_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="billing_invoice_number"),
            # Partial, so SQLite adds it as an index instead of rebuilding the table.
            models.UniqueConstraint(
                fields=["submission_key"],
                condition=Q(submission_key__isnull=False),
                name="billing_invoice_one_per_submission",
            ),
            models.UniqueConstraint(
                fields=["contract", "period_start"],
                condition=Q(kind="invoice", source="monthly"),
                name="billing_invoice_period_once_per_contract",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="draft", number__isnull=True, series__isnull=True)
                    | (
                        ~Q(status="draft")
                        & Q(number__isnull=False, series__isnull=False, issued_on__isnull=False)
                    )
                    # A draft discarded before issue is void without a number.
                    | Q(status="void", number__isnull=True, series__isnull=True)
                ),
                name="billing_invoice_number_iff_issued",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", corrects__isnull=True)
                | Q(kind="credit_note", corrects__isnull=False),
                name="billing_invoice_credit_note_corrects",
            ),
            models.CheckConstraint(
                condition=_total_is_sum() & Q(subtotal__gte=0, tax__gte=0),
                name="billing_invoice_total_is_sum",
            ),
            _same_currency("billing_invoice", "subtotal", "tax", "total"),
        ]

    def __str__(self) -> str:
        return self.display_number or f"{self.get_kind_display()} borrador #{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.is_frozen:
            update_fields = kwargs.get("update_fields")
            names = (
                set(update_fields)
                if update_fields is not None
                else {f.attname for f in self._meta.concrete_fields} - {"id"}
            )
            current = self._content()
            changed = {
                name
                for name in names - self.MUTABLE_AFTER_ISSUE
                if name in self._loaded and current.get(name) != self._loaded[name]
            }
            if changed or (update_fields is not None and names - self.MUTABLE_AFTER_ISSUE):
                raise InvoiceImmutable(number=self.display_number or self.pk)
        super().save(*args, **kwargs)
        self._loaded = self._content()

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_frozen or self.number is not None:
            raise InvoiceImmutable(number=self.display_number or self.pk)
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, **kwargs: Any) -> "Invoice":
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._loaded = instance._content()
        return instance

    def _content(self) -> dict[str, Any]:
        """Every stored value, with Money as (amount, currency) so it compares with itself."""
        values = {}
        deferred = self.get_deferred_fields()
        for field in self._meta.concrete_fields:
            if field.attname in deferred:
                continue
            value = getattr(self, field.attname)
            if hasattr(value, "amount") and hasattr(value, "currency"):
                value = (value.amount, str(value.currency))
            values[field.attname] = value
        return values

    @property
    def display_number(self) -> str:
        if self.number is None or self.series is None:
            return ""
        return f"{self.series.prefix}{self.number:06d}"

    @property
    def is_frozen(self) -> bool:
        loaded: dict[str, object] = getattr(self, "_loaded", {})
        return loaded.get("status", self.Status.DRAFT) != self.Status.DRAFT


class InvoiceStatusChange(models.Model):
    """Who moved an invoice to which status, when and why."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=8, choices=Invoice.Status.choices)
    to_status = models.CharField(max_length=8, choices=Invoice.Status.choices)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quién"),
    )
    at = models.DateTimeField(_("cuándo"))

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class InvoiceLine(models.Model):
    class Kind(models.TextChoices):
        CREDIT_PACK = "credit_pack", _("Paquete de créditos")
        PLAN_FEE = "plan_fee", _("Cuota del plan")
        ONSITE = "onsite", _("Recargo en sitio")
        OVERDRAFT = "overdraft", _("Sobregiro de créditos")
        OVERAGE = "overage", _("Horas adicionales de soporte")
        CORRECTION = "correction", _("Corrección")
        OTHER = "other", _("Otro")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveIntegerField(_("posición"))
    kind = models.CharField(_("tipo"), max_length=12, choices=Kind.choices)
    description = models.CharField(_("descripción"), max_length=300)
    quantity = models.DecimalField(_("cantidad"), max_digits=12, decimal_places=4)
    currency = models.CharField(_("moneda"), max_length=3, choices=CURRENCY_CHOICES)
    unit_price = MoneyField(_("precio unitario"), **MONEY)
    tax_rate = models.DecimalField(_("tarifa de impuesto (%)"), max_digits=5, decimal_places=2)
    subtotal = MoneyField(_("base"), **MONEY)
    tax = MoneyField(_("impuesto"), **MONEY)
    total = MoneyField(_("total"), **MONEY)
    # Credits this line buys (credit packs, overdraft); 0 for everything else.
    credits = models.DecimalField(_("créditos"), **CREDITS, default=Decimal("0"))
    credit_pack = models.ForeignKey(
        CreditPack, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("línea de factura")
        verbose_name_plural = _("líneas de factura")
        ordering = ["invoice_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "position"], name="billing_line_unique_position"
            ),
            models.CheckConstraint(
                condition=_total_is_sum() & Q(quantity__gt=0, credits__gte=0),
                name="billing_line_total_is_sum",
            ),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0, tax_rate__lte=100), name="billing_line_tax_percent"
            ),
            _same_currency("billing_line", "unit_price", "subtotal", "tax", "total"),
        ]

    def __str__(self) -> str:
        return f"{self.description}: {money_text(self.total)}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        status = Invoice.objects.filter(pk=self.invoice_id).values_list("status", flat=True).get()
        if status != Invoice.Status.DRAFT:
            raise InvoiceImmutable(number=self.invoice_id)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        status = Invoice.objects.filter(pk=self.invoice_id).values_list("status", flat=True).get()
        if status != Invoice.Status.DRAFT:
            raise InvoiceImmutable(number=self.invoice_id)
        return super().delete(*args, **kwargs)


class OnsiteCharge(models.Model):
    """An on-site visit to bill at month end: the hook tickets use (`onsite_charge_record`).

    The amount is the plan's surcharge when recorded. The monthly run bills every unbilled
    charge performed on or before the period's last day, and links it to its invoice line.
    """

    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="onsite_charges",
        verbose_name=_("contrato"),
    )
    performed_on = models.DateField(_("fecha"))
    description = models.CharField(_("descripción"), max_length=300)
    reference = models.CharField(
        _("referencia"), max_length=64, blank=True, help_text=_("p. ej. el número de ticket")
    )
    amount = MoneyField(_("importe"), **MONEY)
    invoice_line = models.ForeignKey(
        InvoiceLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="onsite_charges",
        verbose_name=_("línea de factura"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("creado"))

    class Meta:
        verbose_name = _("recargo en sitio")
        verbose_name_plural = _("recargos en sitio")
        ordering = ["performed_on", "pk"]
        indexes = [
            models.Index(
                fields=["contract", "performed_on"],
                condition=Q(invoice_line__isnull=True),
                name="billing_onsite_unbilled_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "reference"],
                condition=~Q(reference=""),
                name="billing_onsite_reference_once",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_onsite_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.performed_on} {self.description}"


class Payment(models.Model):
    """Money received (or expected) from a customer, and what it was applied to.

    `applied_at` is set once, in the transaction that counts it toward its invoice (marking
    the invoice paid and landing the credits when nothing more is due); every later attempt
    to apply the same payment sees it and does nothing. An issued invoice may take several.
    """

    class Provider(models.TextChoices):
        STRIPE = "stripe", "Stripe"
        BANK_TRANSFER = "bank_transfer", _("Transferencia bancaria")
        CASH = "cash", _("Efectivo")

    class Status(models.TextChoices):
        STARTED = "started", _("Iniciado")
        PENDING = "pending", _("Pendiente en el proveedor")
        SUCCEEDED = "succeeded", _("Recibido")
        FAILED = "failed", _("Fallido")
        CANCELED = "canceled", _("Cancelado")

    class Attention(models.TextChoices):
        NONE = "", _("Ninguna")
        UNKNOWN_PAYMENT = "unknown_payment", _("Pago desconocido")
        UNKNOWN_CUSTOMER = "unknown_customer", _("Cliente desconocido")
        UNKNOWN_PACK = "unknown_pack", _("Paquete desconocido")
        AMOUNT_MISMATCH = "amount_mismatch", _("El importe no coincide")
        OVERPAYMENT = "overpayment", _("Mayor que lo pendiente")
        CURRENCY_MISMATCH = "currency_mismatch", _("La moneda no coincide")
        INVOICE_ALREADY_PAID = "invoice_already_paid", _("Factura ya pagada")
        INVOICE_VOID = "invoice_void", _("Factura anulada")
        REFUND_MISMATCH = "refund_mismatch", _("Reembolso que no cuadra")
        STRIPE_ERROR = "stripe_error", _("Error de Stripe")
        PARTLY_RETURNED = "partly_returned", _("Devuelto en parte")

    provider = models.CharField(_("medio"), max_length=16, choices=Provider.choices)
    provider_ref = models.CharField(_("referencia del medio"), max_length=255, blank=True)
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.STARTED
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("cliente"),
    )
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("factura"),
    )
    credit_pack = models.ForeignKey(
        CreditPack,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paquete de créditos"),
    )
    amount = MoneyField(_("importe"), **MONEY)
    received_on = models.DateField(_("fecha de recibo"), null=True, blank=True)
    applied_at = models.DateTimeField(_("aplicado"), null=True, blank=True)
    # What of `amount` counts toward the invoice, set with `applied_at`: all of it, or what
    # was due when finance applied an overpayment and returned the rest (a refund that
    # `returns_unapplied`). What is due reads this, never `amount`.
    applied_amount = MoneyField(
        _("importe aplicado"), null=True, blank=True, default=None, default_currency=None, **MONEY
    )
    needs_attention = models.BooleanField(_("requiere revisión"), default=False)
    attention_reason = models.CharField(
        _("motivo de revisión"), max_length=24, choices=Attention.choices, blank=True
    )
    attention_detail = models.TextField(_("detalle"), blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resuelto"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resuelto por"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrado por"),
    )
    note = models.TextField(_("nota"), blank=True)  # finance's words only
    # A declined card's code (billing.declines), so the customer reads why in their language;
    # the provider's own words for it, shown only for a code we have no words for; and when
    # it was declined (the provider's time: its events arrive in any order).
    failure_code = models.CharField(_("código del fallo"), max_length=CODE_LENGTH, blank=True)
    failure_message = models.TextField(_("mensaje del proveedor sobre el fallo"), blank=True)
    failed_at = models.DateTimeField(_("fallido"), null=True, blank=True)
    raw_payload = models.JSONField(_("datos del proveedor"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("creado"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("actualizado"))

    class Meta:
        verbose_name = _("pago")
        verbose_name_plural = _("pagos")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(needs_attention=True, resolved_at__isnull=True),
                name="billing_payment_attention_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_ref"],
                condition=~Q(provider_ref=""),
                name="billing_payment_provider_ref_once",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="billing_payment_not_negative"),
            models.CheckConstraint(
                condition=Q(applied_at__isnull=True) | Q(status="succeeded", invoice__isnull=False),
                name="billing_payment_applied_means_succeeded",
            ),
            models.CheckConstraint(
                condition=Q(applied_at__isnull=True, applied_amount__isnull=True)
                | Q(
                    applied_at__isnull=False,
                    applied_amount__gte=0,
                    applied_amount__lte=F("amount"),
                    applied_amount_currency=F("amount_currency"),
                ),
                name="billing_payment_applied_amount_within_payment",
            ),
            models.CheckConstraint(
                condition=Q(needs_attention=False, attention_reason="")
                | Q(needs_attention=True) & ~Q(attention_reason=""),
                name="billing_payment_attention_has_reason",
            ),
        ]

    def __str__(self) -> str:
        reference = self.provider_ref or self.pk
        return f"{self.get_provider_display()} {reference}: {money_text(self.amount)}"


class Refund(models.Model):
    """Money given back on a payment. Of money that paid the invoice, matched by a credit note
    on it; of money the invoice never took (`returns_unapplied`: an overpayment's excess, a
    payment never applied), none: it is only the money going back."""

    class Status(models.TextChoices):
        STARTED = "started", _("Iniciado")
        SUCCEEDED = "succeeded", _("Hecho")
        FAILED = "failed", _("Fallido")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    provider_ref = models.CharField(max_length=255, null=True, blank=True, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.STARTED)
    amount = MoneyField(_("importe"), **MONEY)
    reason = models.TextField(_("motivo"))
    credit_note = models.OneToOneField(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="refund"
    )
    reversed_credits = models.DecimalField(**CREDITS, default=Decimal("0"))
    returns_unapplied = models.BooleanField(_("devuelve lo no aplicado"), default=False)
    # Finance's refund form's one-time key: a second submit of the form gets the refund the
    # first recorded, not another one.
    submission_key = models.UUIDField(
        null=True, blank=True, editable=False, verbose_name=_("clave del formulario enviado")
    )
    # The customer's day it was recorded, as a credit note's issue date is: the finance export
    # puts the money going back in the same period as its credit note.
    returned_on = models.DateField(_("devuelto el"))
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reembolso")
        verbose_name_plural = _("reembolsos")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_refund_positive"),
            models.UniqueConstraint(
                fields=["submission_key"],
                condition=Q(submission_key__isnull=False),
                name="billing_refund_one_per_submission",
            ),
            models.CheckConstraint(
                condition=Q(returns_unapplied=False) | Q(credit_note__isnull=True),
                name="billing_refund_unapplied_without_credit_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{money_text(self.amount)} ({self.get_status_display()})"


class StripeCustomer(models.Model):
    customer = models.OneToOneField(Customer, on_delete=models.PROTECT, related_name="stripe")
    stripe_id = models.CharField(max_length=255, unique=True)

    def __str__(self) -> str:
        return self.stripe_id


class StripeSubscription(models.Model):
    """A premium plan paid through a Stripe subscription, mirrored from its webhooks."""

    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", _("Incompleta")
        ACTIVE = "active", _("Activa")
        PAST_DUE = "past_due", _("En mora")
        CANCELED = "canceled", _("Cancelada")

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="stripe_subscriptions"
    )
    # Empty until Stripe answers: the row exists first so its pk can key the Stripe call.
    stripe_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    premium_plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    fallback_plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INCOMPLETE)
    current_period_end = models.DateTimeField(null=True, blank=True)
    dunning_started_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveIntegerField(default=0)
    # The premium plan ends on this day (set by `customer.subscription.deleted`) and the
    # daily job moves the contract back to the fallback plan then; ended_at records it.
    ends_on = models.DateField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Created time of the newest Stripe event applied to `status`; older events arriving
    # late never move the status backwards.
    status_event_at = models.DateTimeField(null=True, blank=True)
    # Who started it (a contact in the portal or staff in the workspace; empty when code did),
    # and a cancellation asked for at the end of the paid period (`subscription_cancel`).
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_at_period_end = models.BooleanField(default=False)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    cancel_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suscripción Stripe")
        verbose_name_plural = _("suscripciones Stripe")
        ordering = ["-created_at"]
        constraints = [
            # One subscription at a time per contract: until one has ended (its contract
            # moved back), a second start is refused by the database too.
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(ended_at__isnull=True),
                name="billing_subscription_one_open_per_contract",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stripe_id} ({self.status})"


class StripeEvent(models.Model):
    """Every verified webhook event, stored once by id before it is processed."""

    event_id = models.CharField(max_length=255, unique=True, verbose_name=_("id del evento"))
    type = models.CharField(max_length=100, verbose_name=_("tipo"))
    payload = models.JSONField(verbose_name=_("contenido"))
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("recibido"))
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("procesado"))
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("intentos"))
    error = models.TextField(blank=True, verbose_name=_("error"))

    class Meta:
        verbose_name = _("evento Stripe")
        verbose_name_plural = _("eventos Stripe")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class BillingRun(models.Model):
    """One per period; a second run of the same period resumes it.

    Finance starts a run from its workspace (`billing_run_request`): the row is written with
    `queued_at` and the task enqueued; the task clears `queued_at` when it starts, counts the
    contracts it will see (`contracts_total`) and bumps `contracts_seen` per chunk, so the page
    shows queued, running (seen of total), finished (the counts) or failed (`error`)."""

    period_start = models.DateField(unique=True, verbose_name=_("inicio del periodo"))
    period_end = models.DateField(verbose_name=_("fin del periodo"))
    started_at = models.DateTimeField(verbose_name=_("comenzó"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("terminó"))
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("intentos"))
    queued_at = models.DateTimeField(_("en cola desde"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pedida por"),
    )
    contracts_total = models.PositiveIntegerField(default=0, verbose_name=_("contratos en total"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    contracts_seen = models.PositiveIntegerField(default=0, verbose_name=_("contratos revisados"))
    invoices_issued = models.PositiveIntegerField(default=0, verbose_name=_("facturas emitidas"))
    already_invoiced = models.PositiveIntegerField(default=0, verbose_name=_("ya facturados"))
    nothing_to_bill = models.PositiveIntegerField(
        default=0, verbose_name=_("sin nada que facturar")
    )
    failures = models.JSONField(default=list, blank=True, verbose_name=_("fallos"))

    class Meta:
        verbose_name = _("corrida de facturación")
        verbose_name_plural = _("corridas de facturación")
        ordering = ["-period_start"]

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m}"

    def invoices_condition(self) -> Q:
        """The run's invoices: its period's monthly ones, whichever attempt issued them (one
        per contract and period, `billing_invoice_period_once_per_contract`). Invoices carry
        no run of their own; a manual invoice or another period's run is never among them."""
        return Q(source=Invoice.Source.MONTHLY, period_start=self.period_start)


class BillingSuspension(models.Model):
    """A contract suspended for an overdue invoice; lifted when nothing is overdue any more."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="+")
    suspended_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-suspended_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(lifted_at__isnull=True),
                name="billing_one_open_suspension",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} since {self.suspended_at:%Y-%m-%d}"


def invoice_pdf_path(instance: "InvoicePdf", filename: str) -> str:
    return f"invoices/{instance.invoice.issued_on:%Y/%m}/{filename}"


class InvoicePdf(models.Model):
    """The PDF of an issued invoice, rendered once and kept (billing.documents.store).

    A row of its own rather than a field on the invoice, so the issued invoice row never
    changes (its PostgreSQL trigger and `Invoice.save` stay as strict as they are). One per
    invoice (UNIQUE); `content_hash` is the invoice's content hash when it was rendered.
    Deleting the row (and its file) makes `render_pending_pdfs` render it again.
    """

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="pdf")
    file = models.FileField(_("archivo"), upload_to=invoice_pdf_path, max_length=200)
    content_hash = models.CharField(_("hash del contenido"), max_length=64)
    language = models.CharField(_("idioma"), max_length=2)
    pages = models.PositiveIntegerField(_("páginas"))
    size = models.PositiveIntegerField(_("tamaño (bytes)"))
    rendered_at = models.DateTimeField(_("generado"))

    class Meta:
        verbose_name = _("PDF de factura")
        verbose_name_plural = _("PDF de facturas")
        ordering = ["invoice_id"]

    def __str__(self) -> str:
        return self.file.name or ""


class AutoTopUp(models.Model):
    """A customer's automatic top-up: a saved card, a threshold and a pack.

    The card is Stripe's payment method id (never card data); brand and last four digits
    are what Stripe tells us, for the customer to recognise it. `armed` is the crossing
    state (`billing.services.autotopup`): a check that finds available credits below the
    threshold while armed counts a crossing (`crossings`), disarms it and starts one charge;
    only credits back at or above the threshold (or a newly saved card) re-arm it.
    """

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, related_name="auto_top_up", verbose_name=_("cliente")
    )
    enabled = models.BooleanField(_("activa"), default=False)
    threshold_credits = models.DecimalField(
        _("umbral de créditos disponibles"), **CREDITS, null=True, blank=True
    )
    credit_pack = models.ForeignKey(
        CreditPack,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paquete"),
    )
    payment_method_id = models.CharField(_("medio de pago en Stripe"), max_length=255, blank=True)
    card_brand = models.CharField(_("marca de la tarjeta"), max_length=20, blank=True)
    card_last4 = models.CharField(_("últimos cuatro dígitos"), max_length=4, blank=True)
    card_saved_at = models.DateTimeField(_("tarjeta guardada"), null=True, blank=True)
    setup_intent_id = models.CharField(max_length=255, blank=True)
    armed = models.BooleanField(_("armada"), default=True)
    crossings = models.PositiveIntegerField(_("cruces"), default=0)
    disabled_by_failures_at = models.DateTimeField(
        _("desactivada por fallos"), null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("recarga automática")
        verbose_name_plural = _("recargas automáticas")
        constraints = [
            models.CheckConstraint(
                condition=Q(enabled=False)
                | Q(threshold_credits__isnull=False, credit_pack__isnull=False)
                & ~Q(payment_method_id=""),
                name="billing_autotopup_enabled_is_complete",
            ),
            models.CheckConstraint(
                condition=Q(threshold_credits__isnull=True) | Q(threshold_credits__gt=0),
                name="billing_autotopup_threshold_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer}: {self.threshold_credits} -> {self.credit_pack}"


class AutoTopUpAttempt(models.Model):
    """One crossing's off-session charge: one per crossing (UNIQUE), one payment each.

    `claimed_at` is the lease of the task calling Stripe (a second copy of the task finds it
    claimed and looks again on its retry; `billing_daily` enqueues the charge again once an
    unanswered attempt's lease is over); the call's idempotency key is `autotopup:<pk>`. Whether it
    succeeded is the payment's word (`Payment.applied_at`), whichever of the task and the
    webhook applied it.
    """

    class Status(models.TextChoices):
        STARTED = "started", _("Iniciado")
        PENDING = "pending", _("En proceso")
        SUCCEEDED = "succeeded", _("Pagado")
        REQUIRES_ACTION = "requires_action", _("Requiere su autorización")
        DECLINED = "declined", pgettext_lazy("a card charge", "Rechazado")  # "Declined"
        FAILED = "failed", _("Fallido")

    FAILURES = (Status.REQUIRES_ACTION, Status.DECLINED, Status.FAILED)

    auto_top_up = models.ForeignKey(AutoTopUp, on_delete=models.PROTECT, related_name="attempts")
    crossing = models.PositiveIntegerField(_("cruce"))
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="auto_top_up_attempt"
    )
    status = models.CharField(
        _("estado"), max_length=16, choices=Status.choices, default=Status.STARTED
    )
    available_credits = models.DecimalField(_("créditos disponibles al cruzar"), **CREDITS)
    payment_intent_id = models.CharField(max_length=255, blank=True)
    failure_code = models.CharField(_("código del fallo"), max_length=CODE_LENGTH, blank=True)
    failure_message = models.TextField(_("motivo del fallo"), blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminado"), null=True, blank=True)

    class Meta:
        verbose_name = _("intento de recarga automática")
        verbose_name_plural = _("intentos de recarga automática")
        ordering = ["-crossing"]
        constraints = [
            models.UniqueConstraint(
                fields=["auto_top_up", "crossing"], name="billing_autotopup_one_charge_per_crossing"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.auto_top_up_id}#{self.crossing} {self.status}"

    @property
    def paid(self) -> bool:
        return self.payment.applied_at is not None


def _proof_storage() -> Storage:
    from billing.proofs import proof_storage

    return proof_storage()


class BankTransferReport(models.Model):
    """A bank transfer a customer reports from the portal, with its proof, for finance.

    Finance confirms it (the money arrived: `billing.services.transfers.transfer_confirm`
    records and applies one payment through `payment_record`, the path of every bank
    transfer) or rejects it with a reason. Either decision is taken once: the row is locked
    and moves from pending only. The proof is kept in the private storage (`billing.proofs`).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pendiente de revisión")
        CONFIRMED = "confirmed", _("Confirmada")
        REJECTED = "rejected", _("Rechazada")

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="transfer_reports"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    amount = MoneyField(_("importe"), **MONEY)
    transferred_on = models.DateField(_("fecha de la transferencia"))
    reference = models.CharField(_("referencia bancaria"), max_length=100)
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfer_reports",
        verbose_name=_("factura"),
    )
    credit_pack = models.ForeignKey(
        CreditPack,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paquete de créditos"),
    )
    proof = models.FileField(_("comprobante"), storage=_proof_storage, max_length=200)
    proof_name = models.CharField(_("nombre del comprobante"), max_length=130)
    proof_content_type = models.CharField(max_length=40)
    proof_size = models.PositiveIntegerField()
    proof_sha256 = models.CharField(max_length=64)
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_at = models.DateTimeField(_("decidida"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.TextField(_("motivo del rechazo"), blank=True)
    payment = models.OneToOneField(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfer_report",
    )
    created_at = models.DateTimeField(_("informada"), auto_now_add=True)

    class Meta:
        verbose_name = _("transferencia informada")
        verbose_name_plural = _("transferencias informadas")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(status="pending"),
                name="billing_transfer_pending_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(invoice__isnull=True, credit_pack__isnull=False)
                | Q(invoice__isnull=False, credit_pack__isnull=True),
                name="billing_transfer_pays_one_thing",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_transfer_positive"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True, payment__isnull=True)
                | Q(status="confirmed", decided_at__isnull=False, payment__isnull=False)
                | Q(status="rejected", decided_at__isnull=False, payment__isnull=True)
                & ~Q(rejection_reason=""),
                name="billing_transfer_decision_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {money_text(self.amount)} ({self.get_status_display()})"
