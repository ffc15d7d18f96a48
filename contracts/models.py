"""Who the customers are and what they bought: customers, contacts, plans, contracts.

Money amounts are django-money fields; credit amounts are Decimals with two places.
Writes go through `contracts.services`; this module only declares fields and constraints.
"""

import zoneinfo
from decimal import Decimal

from babel import Locale
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField
from djmoney.models.validators import MaxMoneyValidator, MinMoneyValidator

from core.amounts import CREDITS_COLUMN, MONEY_COLUMN, PRICE_MAX
from core.instants import iana_zones
from sla.choices import Impact

CURRENCY_CHOICES = [(code, code) for code in settings.CURRENCIES]
# What people write on customers, plans and contracts ends up in invoice PDFs, mails and
# exports: an address of a million characters was accepted once, and the invoices carrying
# it could never be rendered.
ADDRESS_LIMIT = 1000
DESCRIPTION_LIMIT = 5000
REASON_LIMIT = 500
CREDITS = CREDITS_COLUMN
MONEY = MONEY_COLUMN


def validate_time_zone(value: str) -> None:
    if value not in iana_zones():
        raise ValidationError(
            _("%(value)s no es una zona horaria IANA conocida."),
            code="unknown_time_zone",
            params={"value": value},
        )


# The two-letter territories CLDR (babel) names: ISO 3166's and a few more (Kosovo, the
# Canary Islands...), less its groupings and unknowns. The country sets the customer's tax
# rate and its documents' formats, so "XX" is a typing slip.
COUNTRY_CODES = frozenset(
    code for code in Locale("en").territories if len(code) == 2 and code.isalpha()
) - {"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"}


def validate_country_code(value: str) -> None:
    if value not in COUNTRY_CODES:
        raise ValidationError(
            _("Use el código de país ISO de dos letras (CO, AR, VE...)."), code="invalid_country"
        )


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("Correo")
    CHAT = "chat", _("Chat")
    PHONE = "phone", _("Teléfono")
    WHATSAPP = "whatsapp", _("WhatsApp")
    API = "api", _("API")
    STAFF = "staff", _("Personal en nombre del cliente")


class Language(models.TextChoices):
    SPANISH = "es", "Español"
    ENGLISH = "en", "English"


def default_channels() -> list[str]:
    return [Channel.PORTAL, Channel.EMAIL]


class Customer(models.Model):
    class Membership(models.TextChoices):
        FREE = "free", _("Gratuita")
        PAID = "paid", _("Pagada")

    legal_name = models.CharField(_("razón social"), max_length=200)
    tax_id = models.CharField(
        _("identificación tributaria"), max_length=40, help_text="NIT, RIF, CUIT..."
    )
    country = models.CharField(_("país"), max_length=2, validators=[validate_country_code])
    currency = models.CharField(_("moneda"), max_length=3, choices=CURRENCY_CHOICES)
    time_zone = models.CharField(
        _("zona horaria"), max_length=64, default="America/Bogota", validators=[validate_time_zone]
    )
    language = models.CharField(
        _("idioma"), max_length=2, choices=Language.choices, default=Language.SPANISH
    )
    billing_email = models.EmailField(_("correo de facturación"))
    address = models.TextField(
        _("dirección"),
        blank=True,
        max_length=ADDRESS_LIMIT,
        validators=[MaxLengthValidator(ADDRESS_LIMIT)],
    )
    membership = models.CharField(
        _("membresía"), max_length=8, choices=Membership.choices, default=Membership.PAID
    )
    tax_exempt = models.BooleanField(_("exento de impuestos"), default=False)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gerente de cuenta"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"is_staff": True},
        related_name="managed_customers",
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("creado"))

    class Meta:
        verbose_name = _("cliente")
        verbose_name_plural = _("clientes")
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "tax_id"], name="contracts_customer_unique_tax_id"
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def time_zone_info(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Contact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("nombre"), max_length=200)
    email = models.EmailField(_("correo"))
    phone = models.CharField(_("teléfono"), max_length=40, blank=True)
    can_request = models.BooleanField(
        _("solicitante autorizado"),
        default=False,
        help_text=_("Solo los contactos autorizados pueden abrir solicitudes."),
    )
    language = models.CharField(
        _("idioma"), max_length=2, choices=Language.choices, blank=True, default=""
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contacto")
        verbose_name_plural = _("contactos")
        ordering = ["customer_id", "name"]
        constraints = [
            # Email intake finds the requester by address, so one address is one contact.
            models.UniqueConstraint(
                Lower("email"),
                name="contracts_contact_unique_email",
                violation_error_message=_("Ya hay un contacto con este correo."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def preferred_language(self) -> str:
        return self.language or self.customer.language


def unknown_channels_error(channels: object) -> ValidationError | None:
    """The error for a channel list that is not a list of `Channel` values; None when it is."""
    unknown = set(channels or []) if isinstance(channels, list) else set()
    unknown -= set(Channel.values)
    if isinstance(channels, list) and not unknown:
        return None
    return ValidationError(
        _("Canales desconocidos: %(names)s"),
        code="unknown_channel",
        params={"names": ", ".join(sorted(map(str, unknown))) or str(channels)},
    )


class Plan(models.Model):
    """A support tier: what it costs, which channels it takes, and its credit rules."""

    MONEY_FIELDS = ("monthly_fee", "credit_price", "onsite_surcharge", "overage_hour_price")

    class SupportModel(models.TextChoices):
        # Seed 003: the customer buys credits first; intake needs available credits and
        # every resolved request is charged by the credit rule.
        PREPAID_CREDITS = "prepaid_credits", _("Créditos prepagados")
        # Seeds 000, 001, 002: support comes with the service or the monthly fee; worked
        # time is logged and reported, nothing is held or charged in credits. With an
        # allowance (`included_hours`) the work beyond it is billed at month end as
        # `overage` says.
        INCLUDED = "included", _("Soporte incluido")
        # The month's included hours first, with no credit gate while they last; once they
        # are used up, seed 003's gate and the work beyond them charged in credits.
        INCLUDED_HOURS_THEN_CREDITS = (
            "included_hours_then_credits",
            _("Horas incluidas, luego créditos"),
        )

    class Overage(models.TextChoices):
        """What the month's work beyond the included hours costs on a plan with support
        included (billed by the monthly run)."""

        NONE = "none", _("Sin cargo")
        MONEY = "money", _("En dinero, por hora adicional")
        CREDITS = "credits", _("En créditos")

    class Rounding(models.TextChoices):
        UP = "up", _("Hacia arriba (cada hora iniciada)")
        NEAREST = "nearest", _("Al más cercano")
        DOWN = "down", _("Hacia abajo")

    code = models.SlugField(_("código"), max_length=60, unique=True)
    name = models.CharField(_("nombre"), max_length=120)
    description = models.TextField(
        _("descripción"),
        blank=True,
        max_length=DESCRIPTION_LIMIT,
        validators=[MaxLengthValidator(DESCRIPTION_LIMIT)],
    )
    currency = models.CharField(_("moneda"), max_length=3, choices=CURRENCY_CHOICES)
    monthly_fee = MoneyField(
        _("cuota mensual"), **MONEY, default=Decimal("0"), validators=[MinMoneyValidator(0)]
    )
    monthly_fee_taxable = models.BooleanField(_("la cuota paga impuesto"), default=True)
    allowed_channels = models.JSONField(
        _("canales permitidos"), default=default_channels, help_text=_("Valores de Channel.")
    )
    business_hours_channels = models.JSONField(
        _("canales solo en horario hábil"),
        default=list,
        blank=True,
        help_text=_(
            "Canales permitidos que atienden solo en el horario del calendario de la política "
            "(seed 002: chat y teléfono en horario hábil, tickets 24/7)."
        ),
    )
    support_model = models.CharField(
        _("modelo de soporte"),
        max_length=32,
        choices=SupportModel.choices,
        default=SupportModel.PREPAID_CREDITS,
        help_text=_(
            "Con créditos prepagados se exige saldo para abrir y se cobra al resolver; "
            "con soporte incluido no se retiene ni se cobra nada; con horas incluidas, luego "
            "créditos, se exige saldo y se cobra solo una vez agotadas las horas del mes."
        ),
    )
    # A monthly allowance per contract (issue 17): drawn by the work of resolved requests
    # in the customer's calendar month (`credits.allowance`).
    included_hours = models.DecimalField(
        _("horas incluidas por mes"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Por contrato y mes calendario del cliente. Vacío: sin bolsa de horas."),
    )
    overage = models.CharField(
        _("horas adicionales"),
        max_length=8,
        choices=Overage.choices,
        default=Overage.NONE,
        help_text=_(
            "Con soporte incluido y horas incluidas: cómo se factura a fin de mes el trabajo "
            "que las excede."
        ),
    )
    # Nullable, unlike the other prices: plans saved before it existed keep no price in a
    # currency of their own (empty is zero).
    overage_hour_price = MoneyField(
        _("precio de la hora adicional"),
        **MONEY,
        null=True,
        blank=True,
        default=None,
        validators=[MinMoneyValidator(0)],
    )
    phone_requires_ticket_number = models.BooleanField(
        _("teléfono solo con número de ticket existente"), default=False
    )
    min_available_credits = models.DecimalField(
        _("saldo mínimo disponible para aceptar"),
        **CREDITS,
        default=Decimal("2"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    min_billable_credits = models.DecimalField(
        _("mínimo facturable por solicitud"),
        **CREDITS,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    billing_increment_minutes = models.PositiveIntegerField(
        _("incremento de facturación (minutos)"), default=60, validators=[MinValueValidator(1)]
    )
    rounding = models.CharField(
        _("redondeo"), max_length=8, choices=Rounding.choices, default=Rounding.UP
    )
    credit_price = MoneyField(
        _("precio de un crédito"), **MONEY, default=Decimal("0"), validators=[MinMoneyValidator(0)]
    )
    onsite_surcharge = MoneyField(
        _("recargo por trabajo en sitio"),
        **MONEY,
        default=Decimal("0"),
        validators=[MinMoneyValidator(0)],
    )
    sla_policy = models.ForeignKey(
        "sla.SlaPolicy",
        verbose_name=_("política de SLA"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
    )
    payment_grace_days = models.PositiveIntegerField(
        _("días de gracia tras el vencimiento"), default=5
    )
    # The share of SLA targets met the contract promises in a month (issue 19): the charts'
    # reference line, the SLA report and the workspace's compliance badges. The seeds name no
    # figure; 90 % is the default.
    sla_compliance_target = models.DecimalField(
        _("objetivo de cumplimiento del SLA (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("90"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("100"))],
        help_text=_("Porcentaje de objetivos de SLA cumplidos por mes que el plan promete."),
    )
    # How long a customer has to answer an information request before it is chased, and how
    # many unanswered requests abandon the ticket (seed 001: "dentro de las 8 horas"; seed
    # 003: "dos (2) intentos"). Empty: TICKETS_ANSWER_DAYS business days and
    # TICKETS_UNANSWERED_LIMIT, counted on the ticket's SLA clock calendar.
    answer_hours = models.PositiveIntegerField(
        _("horas hábiles para responder un pedido de información"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 31)],
    )
    answer_days = models.PositiveIntegerField(
        _("días hábiles para responder un pedido de información"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    unanswered_limit = models.PositiveIntegerField(
        _("pedidos sin respuesta antes del abandono"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    answer_calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        verbose_name=_("calendario del plazo de respuesta"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Vacío: el de los relojes de SLA de la solicitud."),
    )
    is_active = models.BooleanField(_("a la venta"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("creado"))

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("planes")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_available_credits__gte=0, min_billable_credits__gte=0),
                name="contracts_plan_credit_minimums_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(billing_increment_minutes__gte=1),
                name="contracts_plan_increment_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(included_hours__isnull=True) | models.Q(included_hours__gt=0),
                name="contracts_plan_included_hours_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(sla_compliance_target__gte=1, sla_compliance_target__lte=100),
                name="contracts_plan_sla_compliance_target_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def sla_compliance_share(self) -> Decimal:
        """The compliance target as a share (0.90), as compliance shares are computed."""
        return self.sla_compliance_target / 100

    @property
    def uses_credits(self) -> bool:
        """Whether the customer's support is paid in credits at all (prepaid credits,
        included hours then credits, or an overage charged in credits): credit packs are
        sold and the portal speaks of credits only then."""
        if self.support_model == self.SupportModel.INCLUDED:
            return self.has_allowance and self.overage == self.Overage.CREDITS
        return True

    @property
    def has_allowance(self) -> bool:
        """Whether contracts on this plan have a monthly allowance of included hours."""
        prepaid = self.support_model == self.SupportModel.PREPAID_CREDITS
        return self.included_hours is not None and not prepaid

    @property
    def included_minutes(self) -> int | None:
        """The monthly allowance in minutes (None: no allowance)."""
        return int(self.included_hours * 60) if self.has_allowance else None

    @property
    def bills_overage(self) -> str:
        """How the monthly run bills the work beyond the allowance: an `Overage` value,
        NONE unless support is included with an allowance."""
        if self.support_model == self.SupportModel.INCLUDED and self.has_allowance:
            return self.overage
        return self.Overage.NONE

    def clean(self) -> None:
        errors = {}
        channels_refused = unknown_channels_error(self.allowed_channels)
        if channels_refused is not None:
            errors["allowed_channels"] = channels_refused
        for field in self.MONEY_FIELDS:
            amount = getattr(self, field)
            if amount is not None and str(amount.currency) != self.currency:
                errors[field] = ValidationError(
                    _("El importe debe estar en %(currency)s."),
                    code="currency_mismatch",
                    params={"currency": self.currency},
                )
        outside = set(self.business_hours_channels or []) - set(self.allowed_channels or [])
        if not isinstance(self.business_hours_channels, list) or outside:
            errors["business_hours_channels"] = ValidationError(
                _("Solo canales que el plan admite: %(names)s"),
                code="channel_not_allowed",
                params={"names": ", ".join(sorted(map(str, outside)))},
            )
        if self.answer_hours and self.answer_days:
            errors["answer_hours"] = ValidationError(
                _("Indique el plazo de respuesta en horas o en días hábiles, no ambos."),
                code="answer_window_twice",
            )
        errors |= {
            field: error for field, error in self._allowance_errors().items() if field not in errors
        }
        if errors:
            raise ValidationError(errors)

    def _allowance_errors(self) -> dict[str, ValidationError]:
        """The allowance's rules: a positive number of whole minutes, only where support is
        included; an overage only over an allowance of an included plan, money at a price."""
        errors = {}
        hours, model = self.included_hours, self.support_model
        if hours is not None and (hours <= 0 or (hours * 60) % 1):
            errors["included_hours"] = ValidationError(
                _("Indique un número positivo de horas que sume minutos enteros (10, 7.5, 0.25)."),
                code="included_hours_invalid",
            )
        elif hours is not None and model == self.SupportModel.PREPAID_CREDITS:
            errors["included_hours"] = ValidationError(
                _(
                    "Un plan de créditos prepagados no incluye horas: elija «Horas incluidas, "
                    "luego créditos»."
                ),
                code="included_hours_not_included",
            )
        elif hours is None and model == self.SupportModel.INCLUDED_HOURS_THEN_CREDITS:
            errors["included_hours"] = ValidationError(
                _("Indique las horas incluidas por mes antes de cobrar créditos."),
                code="included_hours_required",
            )
        if self.overage != self.Overage.NONE and (
            model != self.SupportModel.INCLUDED or hours is None
        ):
            errors["overage"] = ValidationError(
                _(
                    "Solo un plan con soporte incluido y horas incluidas factura horas "
                    "adicionales a fin de mes."
                ),
                code="overage_without_allowance",
            )
        price = self.overage_hour_price
        if self.overage == self.Overage.MONEY and (price is None or price.amount <= 0):
            errors["overage_hour_price"] = ValidationError(
                _("Indique el precio de la hora adicional en %(currency)s."),
                code="overage_price_required",
                params={"currency": self.currency},
            )
        return errors

    def allows_channel(self, channel: str, service: "Service | None" = None) -> bool:
        """Staff intake always; otherwise a channel of the plan and, when the request names a
        service type that restricts its channels (seed 000's SLA 2: portal only), of it too."""
        if channel == Channel.STAFF:
            return True
        restricted = service is not None and bool(service.allowed_channels)
        if restricted and channel not in service.allowed_channels:
            return False
        return channel in self.allowed_channels

    def takes_credits_for(
        self, service: "Service | None", *, allowance_left: int | None = None
    ) -> bool:
        """Whether a request about `service` passes the credit gate and is charged credits
        (the one rule intake, charging, no-shows, the portal and the API ask):

        - prepaid credits: always, unless its service type is one the provider does not bill;
        - included hours, then credits: the same, but only once the month's allowance is used
          up; `allowance_left` is the minutes left this month (`credits.allowance`), None
          asks whether the plan may charge this request credits at all;
        - included: never (an overage in credits is the monthly run's, not the request's).

        On resolution, included hours then credits charges only the work beyond the
        allowance (`tickets.services.charging`)."""
        if service is not None and not service.billed:
            return False
        if self.support_model == self.SupportModel.PREPAID_CREDITS:
            return True
        if self.support_model == self.SupportModel.INCLUDED_HOURS_THEN_CREDITS:
            return allowance_left is None or allowance_left <= 0
        return False

    def draws_allowance_for(self, service: "Service | None") -> bool:
        """Whether the work on a request about `service` is drawn from the month's
        allowance: on a plan with one, unless the type is one the provider does not bill."""
        return self.has_allowance and (service is None or service.billed)


class CreditPack(models.Model):
    """A bundle of credits a plan offers at a price."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="credit_packs")
    name = models.CharField(_("nombre"), max_length=120)
    credits = models.DecimalField(
        _("créditos"), **CREDITS, validators=[MinValueValidator(Decimal("0.01"))]
    )
    # The admin's form is bounded as the service is (`core.amounts.PRICE_MAX`).
    price = MoneyField(
        _("precio"), **MONEY, validators=[MinMoneyValidator(0), MaxMoneyValidator(PRICE_MAX)]
    )
    is_active = models.BooleanField(_("a la venta"), default=True)

    class Meta:
        verbose_name = _("paquete de créditos")
        verbose_name_plural = _("paquetes de créditos")
        ordering = ["plan_id", "credits"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(credits__gt=0), name="contracts_creditpack_credits_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.credits} créditos, {self.price})"

    def clean(self) -> None:
        if (
            self.price is not None
            and self.plan_id
            and str(self.price.currency) != self.plan.currency
        ):
            raise ValidationError(
                {
                    "price": ValidationError(
                        _("El precio debe estar en %(c)s."),
                        code="currency_mismatch",
                        params={"c": self.plan.currency},
                    )
                }
            )


class ServiceCategory(models.Model):
    code = models.SlugField(_("código"), max_length=60, unique=True)
    name = models.CharField(_("nombre"), max_length=120)
    default_impact = models.CharField(
        _("impacto por defecto"), max_length=8, choices=Impact.choices, default=Impact.MEDIUM
    )

    class Meta:
        verbose_name = _("categoría de servicio")
        verbose_name_plural = _("categorías de servicio")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A service type the provider supports (seed 000's SLA 1-4, seed 002's case types, seed
    001's catalogue); requests about anything else are out of scope. A type may measure its
    requests on its own SLA policy, take fewer channels than the plan, and be free of charge
    on a prepaid-credits plan."""

    category = models.ForeignKey(
        ServiceCategory,
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("categoría"),
    )
    code = models.SlugField(_("código"), max_length=60, unique=True)
    name = models.CharField(_("nombre"), max_length=160)
    description = models.TextField(
        _("descripción"),
        blank=True,
        help_text=_("Se muestra al cliente al elegir el tipo."),
        max_length=DESCRIPTION_LIMIT,
        validators=[MaxLengthValidator(DESCRIPTION_LIMIT)],
    )
    impact = models.CharField(
        _("impacto"),
        max_length=8,
        choices=Impact.choices,
        blank=True,
        help_text=_("Vacío: el de su categoría."),
    )
    sla_policy = models.ForeignKey(
        "sla.SlaPolicy",
        verbose_name=_("política de SLA"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        help_text=_("Vacía: la del plan del contrato."),
    )
    allowed_channels = models.JSONField(
        _("canales permitidos"),
        default=list,
        blank=True,
        help_text=_("Vacío: los del plan. Si se indican, solo los que el plan también admite."),
    )
    mail_address = models.EmailField(
        _("buzón de correo"),
        blank=True,
        help_text=_("Las solicitudes que llegan a esta dirección son de este tipo."),
    )
    answers_in_business_hours_only = models.BooleanField(
        _("se responde solo en horario hábil"),
        default=False,
        help_text=_(
            "Quien responda fuera del horario del calendario de su política recibe un aviso, "
            "salvo que el contrato lo permita."
        ),
    )
    billed = models.BooleanField(
        _("se factura"),
        default=True,
        help_text=_("En un plan de créditos prepagados, si las solicitudes de este tipo cobran."),
    )
    is_active = models.BooleanField(_("activo"), default=True)

    class Meta:
        verbose_name = _("servicio")
        verbose_name_plural = _("servicios")
        ordering = ["category__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["mail_address"],
                condition=~models.Q(mail_address=""),
                name="contracts_service_one_type_per_mailbox",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def default_impact(self) -> str:
        return self.impact or self.category.default_impact

    def clean(self) -> None:
        channels_refused = unknown_channels_error(self.allowed_channels)
        if channels_refused is not None:
            raise ValidationError({"allowed_channels": channels_refused})


class Contract(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Borrador")
        ACTIVE = "active", _("Activo")
        SUSPENDED = "suspended", _("Suspendido")
        CANCELLED = "cancelled", _("Cancelado")

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("cliente")
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="contracts")
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    starts_on = models.DateField(_("inicio"))
    ends_on = models.DateField(_("fin"), null=True, blank=True)
    services = models.ManyToManyField(
        Service, verbose_name=_("servicios cubiertos"), blank=True, related_name="contracts"
    )
    answers_outside_hours = models.BooleanField(
        _("admite respuestas fuera de horario"),
        default=False,
        help_text=_("Para los tipos que se responden solo en horario hábil."),
    )
    # Per-contract overrides of the plan's credit rules; empty means "as the plan says".
    min_available_credits = models.DecimalField(
        _("saldo mínimo disponible (excepción)"),
        **CREDITS,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    min_billable_credits = models.DecimalField(
        _("mínimo facturable (excepción)"),
        **CREDITS,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    billing_increment_minutes = models.PositiveIntegerField(
        _("incremento en minutos (excepción)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    rounding = models.CharField(
        _("redondeo (excepción)"), max_length=8, choices=Plan.Rounding.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("creado"))

    class Meta:
        verbose_name = _("contrato")
        verbose_name_plural = _("contratos")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            # A suspended contract is still the customer's contract: it comes back active.
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(status__in=["active", "suspended"]),
                name="contracts_one_live_contract_per_customer",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="contracts_contract_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.plan} ({self.get_status_display()})"

    def clean(self) -> None:
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("El fin no puede ser anterior al inicio.")})
        if self.plan_id and self.customer_id and self.plan.currency != self.customer.currency:
            raise ValidationError(
                {
                    "plan": ValidationError(
                        _("El plan cobra en %(plan)s y el cliente paga en %(customer)s."),
                        code="currency_mismatch",
                        params={"plan": self.plan.currency, "customer": self.customer.currency},
                    )
                }
            )


class ContractStatusChange(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=Contract.Status.choices)
    to_status = models.CharField(max_length=10, choices=Contract.Status.choices)
    reason = models.TextField(
        blank=True, max_length=REASON_LIMIT, validators=[MaxLengthValidator(REASON_LIMIT)]
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("quién"),
    )
    at = models.DateTimeField(_("cuándo"))

    class Meta:
        verbose_name = _("cambio de estado")
        verbose_name_plural = _("cambios de estado")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class PlanChange(models.Model):
    """A plan change and the day it takes effect; billing prorates the month by it.
    `applied_at` is empty while the change waits for its day (`plan_changes_apply_due`)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="plan_changes")
    from_plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    to_plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    effective_on = models.DateField()
    reason = models.TextField(
        blank=True, max_length=REASON_LIMIT, validators=[MaxLengthValidator(REASON_LIMIT)]
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("quién"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(_("en vigor desde"), null=True, blank=True)

    class Meta:
        verbose_name = _("cambio de plan")
        verbose_name_plural = _("cambios de plan")
        ordering = ["effective_on", "pk"]

    def __str__(self) -> str:
        return f"{self.from_plan} → {self.to_plan} ({self.effective_on})"


class CustomerNote(models.Model):
    """A private note of staff about a customer: shown in the workspace only, never in the
    portal nor to contacts through the API."""

    TEXT_MAX_LENGTH = 4000

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        verbose_name=_("autor"),
        related_name="+",
    )
    text = models.TextField(_("nota"), max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)

    class Meta:
        verbose_name = _("nota privada")
        verbose_name_plural = _("notas privadas")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="contracts_note_cust_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(text=""), name="contracts_customernote_text_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]
