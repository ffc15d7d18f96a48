"""Quotes (presupuestos, issue 20): what a piece of work will cost, offered from a ticket.

A quote is drafted by staff on a ticket, in money (lines with tax, in the customer's
currency) or in credits; sending numbers it in its own gapless series (`QuoteSeries`, bumped
under its row lock like billing's invoice series) and mails its PDF to the customer's
contacts. The customer accepts or rejects it once, before its validity date ends; accepting
a money quote issues an invoice, a credit quote holds the credits the ticket's work is then
charged against. Rows here are written only by `quotes.services`.

What the database guarantees: a number is unique in its series and only a sent quote carries
one; a decided quote records who and when; amounts are in the quote's currency and
total = subtotal + tax, on the quote and its lines.
"""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from djmoney.models.fields import MoneyField

from contracts.models import CURRENCY_CHOICES, Contact, Customer
from core.amounts import CREDITS_COLUMN, MONEY_COLUMN
from tickets.models import Ticket

MONEY = {**MONEY_COLUMN, "currency_choices": CURRENCY_CHOICES}
HALF_CENT = Decimal("0.005")  # SQLite keeps decimals as binary floats (see billing.models)
TERMS_LIMIT = 5000
DESCRIPTION_LIMIT = 300
LINES_LIMIT = 50


def _total_is_sum() -> Q:
    return Q(
        total__gt=F("subtotal") + F("tax") - HALF_CENT,
        total__lt=F("subtotal") + F("tax") + HALF_CENT,
    )


class QuoteSeries(models.Model):
    """A quote numbering series; `next_number` is read and bumped under its row lock."""

    code = models.SlugField(_("código"), max_length=20, unique=True)
    prefix = models.CharField(_("prefijo"), max_length=10)
    next_number = models.PositiveBigIntegerField(_("siguiente número"), default=1)

    class Meta:
        verbose_name = _("serie de presupuestos")
        verbose_name_plural = _("series de presupuestos")
        constraints = [
            models.CheckConstraint(
                condition=Q(next_number__gte=1), name="quotes_series_next_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.prefix})"


class Quote(models.Model):
    class Kind(models.TextChoices):
        MONEY = "money", _("En dinero")
        CREDITS = "credits", _("En créditos")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Borrador")
        SENT = "sent", _("Enviado")
        ACCEPTED = "accepted", _("Aceptado")
        REJECTED = "rejected", _("Rechazado")
        # Sent and never decided before its validity date ended (the daily `expire_quotes`).
        EXPIRED = "expired", pgettext_lazy("presupuesto", "Vencido")  # not "overdue"

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="quotes")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="quotes")
    kind = models.CharField(_("tipo"), max_length=8, choices=Kind.choices)
    status = models.CharField(
        _("estado"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    series = models.ForeignKey(
        QuoteSeries, on_delete=models.PROTECT, null=True, blank=True, related_name="quotes"
    )
    number = models.PositiveBigIntegerField(_("número"), null=True, blank=True)
    currency = models.CharField(_("moneda"), max_length=3, choices=CURRENCY_CHOICES)
    subtotal = MoneyField(_("base"), **MONEY, default=Decimal("0"))
    tax = MoneyField(_("impuesto"), **MONEY, default=Decimal("0"))
    total = MoneyField(_("total"), **MONEY, default=Decimal("0"))
    credits = models.DecimalField(_("créditos"), **CREDITS_COLUMN, default=Decimal("0"))
    valid_until = models.DateField(_("válido hasta"))
    terms = models.TextField(_("condiciones"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("creado"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("enviado"), null=True, blank=True)
    # Who decided: the customer's contact (portal or API) and the user they signed in as.
    decided_contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decidido por"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decidido"), null=True, blank=True)
    decision_reason = models.TextField(_("motivo"), blank=True)
    # When the expiry job marked it expired (its validity date past, in the customer's day).
    expired_at = models.DateTimeField(_("vencido"), null=True, blank=True)
    # The language its author drafted it in: the one their decision mail is written in.
    author_language = models.CharField(_("idioma del autor"), max_length=2, default="es")
    # What acceptance produced: the invoice of a money quote, the hold of a credit quote.
    invoice = models.OneToOneField(
        "billing.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="quote"
    )
    hold = models.OneToOneField(
        "credits.CreditHold",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quote",
    )

    class Meta:
        verbose_name = _("presupuesto")
        verbose_name_plural = _("presupuestos")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="quotes_quote_number"),
            models.CheckConstraint(
                condition=(
                    Q(status="draft", number__isnull=True, sent_at__isnull=True)
                    | (~Q(status="draft") & Q(number__isnull=False, sent_at__isnull=False))
                ),
                name="quotes_number_only_when_sent",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status__in=["draft", "sent", "expired"], decided_at__isnull=True)
                    | (Q(status__in=["accepted", "rejected"]) & Q(decided_at__isnull=False))
                ),
                name="quotes_decision_recorded",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="expired", expired_at__isnull=False)
                    | (~Q(status="expired") & Q(expired_at__isnull=True))
                ),
                name="quotes_expiry_recorded",
            ),
            models.CheckConstraint(
                condition=Q(subtotal_currency=F("currency"))
                & Q(tax_currency=F("currency"))
                & Q(total_currency=F("currency")),
                name="quotes_amounts_in_currency",
            ),
            models.CheckConstraint(condition=_total_is_sum(), name="quotes_total_is_sum"),
            models.CheckConstraint(condition=Q(credits__gte=0), name="quotes_credits_not_negative"),
        ]

    def __str__(self) -> str:
        return self.display_number or str(_("Presupuesto en borrador"))

    @property
    def display_number(self) -> str:
        if self.series is None or self.number is None:
            return ""
        return f"{self.series.prefix}{self.number:06d}"

    def local_today(self, now: datetime | None = None) -> date:
        return timezone.localtime(now or timezone.now(), self.customer.time_zone_info).date()

    def past_validity(self, now: datetime | None = None) -> bool:
        """The one expiry rule: a sent quote whose validity date ended in the customer's day
        (`now`, else the present). `quotes.services` refuses to decide it and the daily job
        marks it expired; until the job runs it reads as expired all the same."""
        return self.status == self.Status.SENT and self.valid_until < self.local_today(now)

    @property
    def is_expired(self) -> bool:
        """Marked expired, or past its validity and waiting for the job: no longer decidable."""
        return self.status == self.Status.EXPIRED or self.past_validity()

    @property
    def is_decidable(self) -> bool:
        return self.status == self.Status.SENT and not self.is_expired


class QuoteLine(models.Model):
    """A money line (quantity x unit price, with tax, rounded once like an invoice line) or a
    credit line (credits only)."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("posición"))
    description = models.CharField(_("descripción"), max_length=DESCRIPTION_LIMIT)
    quantity = models.DecimalField(_("cantidad"), max_digits=12, decimal_places=4, default=1)
    currency = models.CharField(_("moneda"), max_length=3, choices=CURRENCY_CHOICES)
    unit_price = MoneyField(_("precio unitario"), **MONEY, default=Decimal("0"))
    tax_rate = models.DecimalField(
        _("tarifa de impuesto (%)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    subtotal = MoneyField(_("base"), **MONEY, default=Decimal("0"))
    tax = MoneyField(_("impuesto"), **MONEY, default=Decimal("0"))
    total = MoneyField(_("total"), **MONEY, default=Decimal("0"))
    credits = models.DecimalField(_("créditos"), **CREDITS_COLUMN, default=Decimal("0"))

    class Meta:
        verbose_name = _("línea de presupuesto")
        verbose_name_plural = _("líneas de presupuesto")
        ordering = ["quote", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "position"], name="quotes_line_position"),
            models.CheckConstraint(
                condition=Q(unit_price_currency=F("currency"))
                & Q(subtotal_currency=F("currency"))
                & Q(tax_currency=F("currency"))
                & Q(total_currency=F("currency")),
                name="quotes_line_amounts_in_currency",
            ),
            models.CheckConstraint(condition=_total_is_sum(), name="quotes_line_total_is_sum"),
            models.CheckConstraint(
                condition=Q(credits__gte=0, quantity__gt=0), name="quotes_line_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"
