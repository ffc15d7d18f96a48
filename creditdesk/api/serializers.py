"""Parse requests into service arguments and render models and selector results.

No business rule lives here: fields parse and bound the input (types, lengths, the
database's integer range), services decide. Output serializers are read-only.
"""

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing.models import Invoice, InvoiceLine, Payment
from contracts.models import (
    Channel,
    Contact,
    Contract,
    CreditPack,
    Customer,
    Plan,
    PlanChange,
    Service,
)
from core.instants import FIRST_YEAR, LAST_YEAR, instant_check, month_parse
from credits.models import CreditHold, LedgerEntry
from sla.choices import Impact, Priority, Urgency
from sla.selectors import COMPLIANCE_FIGURES, SLA_STATES, ComplianceFigure
from tickets.models import (
    TEXT_LIMIT,
    IntakeAttempt,
    Message,
    ScheduledSession,
    Ticket,
    WorkLog,
)

MAX_INT = 2**31 - 1
CREDITS = {"max_digits": 12, "decimal_places": 2}


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API."""

    code = serializers.CharField(help_text="Stable machine-readable code.")
    message = serializers.CharField(help_text="Human message in the request's language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field; empty when the error is not about a field.",
    )


class MoneySerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()


@extend_schema_field(MoneySerializer)
class MoneyField(serializers.Field):
    """A djmoney Money as {"amount": "123.45", "currency": "COP"}; read only."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return {"amount": f"{value.amount:.2f}", "currency": str(value.currency)}


class InstantField(serializers.DateTimeField):
    """A date-time a caller sends, within the accepted years (core.instants)."""

    def to_internal_value(self, value) -> datetime:
        try:
            return instant_check(super().to_internal_value(value))
        except DjangoValidationError as error:
            raise serializers.ValidationError(list(error.messages)) from None


@extend_schema_field(OpenApiTypes.DATETIME)
class LocalDateTimeField(serializers.Field):
    """An instant shown in the customer's time zone (ISO 8601 with that zone's offset).
    `source` names the instant; the customer is found through `customer_attr`."""

    def __init__(self, *, customer_attr: str = "customer", **kwargs):
        self.customer_attr = customer_attr
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        moment = super().get_attribute(instance)
        if moment is None:
            return None
        customer = instance
        for name in self.customer_attr.split("."):
            customer = getattr(customer, name)
        return moment.astimezone(customer.time_zone_info)

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


@extend_schema_field(OpenApiTypes.DATETIME)
class ZonedDateTimeField(serializers.Field):
    """An aware datetime rendered in its own zone (not converted to UTC); read only."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


# --- contracts ----------------------------------------------------------------------------


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = [
            "id",
            "legal_name",
            "tax_id",
            "country",
            "currency",
            "time_zone",
            "language",
            "billing_email",
            "address",
            "membership",
            "tax_exempt",
            "account_manager",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        # Uniqueness is the service's to decide (full_clean under its write), not ours.
        validators: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account_manager"].queryset = get_user_model().objects.filter(is_staff=True)


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = [
            "id",
            "customer",
            "name",
            "email",
            "phone",
            "can_request",
            "language",
            "user",
            "created_at",
        ]
        read_only_fields = ["id", "user", "created_at"]
        validators: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        customers = self.context.get("customers")
        if customers is not None:
            self.fields["customer"].queryset = customers
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["customer"].read_only = True


class PlanSerializer(serializers.ModelSerializer):
    monthly_fee = MoneyField()
    credit_price = MoneyField()
    onsite_surcharge = MoneyField()

    class Meta:
        model = Plan
        fields = [
            "id",
            "code",
            "name",
            "description",
            "currency",
            "monthly_fee",
            "monthly_fee_taxable",
            "allowed_channels",
            "phone_requires_ticket_number",
            "min_available_credits",
            "min_billable_credits",
            "billing_increment_minutes",
            "rounding",
            "credit_price",
            "onsite_surcharge",
            "sla_policy",
            "payment_grace_days",
            "is_active",
        ]
        read_only_fields = fields


class PlanCreateSerializer(serializers.Serializer):
    """Prices are amounts in the plan's currency."""

    code = serializers.SlugField(max_length=60)
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    currency = serializers.ChoiceField(choices=Plan._meta.get_field("currency").choices)
    monthly_fee = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    monthly_fee_taxable = serializers.BooleanField(required=False)
    allowed_channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Channel.choices), required=False, max_length=10
    )
    phone_requires_ticket_number = serializers.BooleanField(required=False)
    min_available_credits = serializers.DecimalField(**CREDITS, required=False)
    min_billable_credits = serializers.DecimalField(**CREDITS, required=False)
    billing_increment_minutes = serializers.IntegerField(
        min_value=1, max_value=MAX_INT, required=False
    )
    rounding = serializers.ChoiceField(choices=Plan.Rounding.choices, required=False)
    credit_price = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    onsite_surcharge = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    payment_grace_days = serializers.IntegerField(min_value=0, max_value=MAX_INT, required=False)
    is_active = serializers.BooleanField(required=False)


class CreditPackSerializer(serializers.ModelSerializer):
    price = MoneyField()

    class Meta:
        model = CreditPack
        fields = ["id", "plan", "name", "credits", "price", "is_active"]
        read_only_fields = fields


class ServiceSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Service
        fields = ["id", "code", "name", "description", "category", "default_impact", "is_active"]
        read_only_fields = fields


class PlanChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanChange
        fields = ["id", "from_plan", "to_plan", "effective_on", "reason", "applied_at"]
        read_only_fields = fields


class ContractSerializer(serializers.ModelSerializer):
    rounding = serializers.ChoiceField(
        choices=Plan.Rounding.choices, allow_blank=True, read_only=True
    )
    plan_changes = PlanChangeSerializer(
        many=True,
        read_only=True,
        help_text="Oldest first; `applied_at` is null while a change waits for its day.",
    )

    class Meta:
        model = Contract
        fields = [
            "id",
            "customer",
            "plan",
            "status",
            "starts_on",
            "ends_on",
            "services",
            "min_available_credits",
            "min_billable_credits",
            "billing_increment_minutes",
            "rounding",
            "plan_changes",
            "created_at",
        ]
        read_only_fields = fields


class ContractCreateSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    plan = serializers.PrimaryKeyRelatedField(queryset=Plan.objects.all())
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    services = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), many=True, required=False
    )
    min_available_credits = serializers.DecimalField(**CREDITS, required=False, allow_null=True)
    min_billable_credits = serializers.DecimalField(**CREDITS, required=False, allow_null=True)
    billing_increment_minutes = serializers.IntegerField(
        min_value=1, max_value=MAX_INT, required=False, allow_null=True
    )
    rounding = serializers.ChoiceField(
        choices=Plan.Rounding.choices, required=False, allow_blank=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        customers = self.context.get("customers")
        if customers is not None:
            self.fields["customer"].queryset = customers


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class MonthField(serializers.CharField):
    """ "YYYY-MM" as the month's first day, within the accepted years (core.instants)."""

    default_error_messages = {"invalid": _("Indique un mes AAAA-MM entre {first}-01 y {last}-12.")}

    def to_internal_value(self, data) -> date:
        try:
            return month_parse(super().to_internal_value(data))
        except ValueError:
            self.fail("invalid", first=FIRST_YEAR, last=LAST_YEAR)


class MonthSerializer(serializers.Serializer):
    month = MonthField(required=False)


class ChangePlanSerializer(serializers.Serializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=Plan.objects.filter(is_active=True))
    effective_on = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


# --- credits ------------------------------------------------------------------------------


class CreditSummarySerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    balance = serializers.DecimalField(**CREDITS)
    held = serializers.DecimalField(**CREDITS)
    available = serializers.DecimalField(max_digits=13, decimal_places=2)
    entry_count = serializers.IntegerField()


class LedgerEntrySerializer(serializers.ModelSerializer):
    amount = MoneyField(allow_null=True)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "sequence",
            "kind",
            "credits",
            "balance_after",
            "amount",
            "hold",
            "reverses",
            "reference_type",
            "reference_id",
            "reason",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class CreditHoldSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditHold
        fields = [
            "id",
            "credits",
            "status",
            "reference_type",
            "reference_id",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields


class AdjustmentSerializer(serializers.Serializer):
    credits = serializers.DecimalField(**CREDITS, help_text="Positive adds, negative takes.")
    reason = serializers.CharField(max_length=5000)


# --- tickets ------------------------------------------------------------------------------


class TicketSerializer(serializers.ModelSerializer):
    next_due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    next_due_at_local = LocalDateTimeField(source="next_due_at", allow_null=True)
    sla_state = serializers.ChoiceField(
        choices=SLA_STATES,
        read_only=True,
        help_text="running, warning, paused, breached, met or none (the queue's SLA state).",
    )
    time_zone = serializers.CharField(source="customer.time_zone", read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "customer",
            "contract",
            "requester",
            "subject",
            "status",
            "priority",
            "impact",
            "urgency",
            "channel",
            "service",
            "resolution_level",
            "assignee",
            "follows_up",
            "opened_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "next_due_at",
            "next_due_at_local",
            "sla_state",
            "time_zone",
            "billed_minutes",
            "billed_credits",
        ]
        read_only_fields = fields


class ClockSerializer(serializers.Serializer):
    """A clock with `sla.selectors.clock_status` figures and `clock_explain` lines."""

    kind = serializers.CharField()
    priority = serializers.CharField()
    state = serializers.CharField()
    target_seconds = serializers.IntegerField()
    elapsed_seconds = serializers.IntegerField()
    remaining_seconds = serializers.IntegerField()
    percent_used = serializers.DecimalField(max_digits=8, decimal_places=1)
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    due_at_local = ZonedDateTimeField(allow_null=True)
    stopped_at = serializers.DateTimeField(allow_null=True)
    explanation = serializers.ListField(child=serializers.CharField())


class ChargeSerializer(serializers.Serializer):
    """A ledger entry charged for this ticket (work, or a missed session) and its reason."""

    entry = serializers.IntegerField()
    sequence = serializers.IntegerField()
    kind = serializers.CharField()
    credits = serializers.DecimalField(**CREDITS)
    explanation = serializers.CharField()
    created_at = serializers.DateTimeField()


class TicketDetailSerializer(TicketSerializer):
    description = serializers.CharField(read_only=True)
    charge_explanation = serializers.SerializerMethodField()
    clocks = ClockSerializer(many=True, read_only=True)
    charges = ChargeSerializer(many=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [
            *TicketSerializer.Meta.fields,
            "description",
            "priority_override_reason",
            "charge_explanation",
            "clocks",
            "charges",
        ]
        read_only_fields = fields

    def get_charge_explanation(self, ticket: Ticket) -> str:
        return ticket.charge_explanation_in()


class TicketOpenSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_LIMIT)
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        required=False,
        help_text="Staff only: phone, chat, whatsapp or staff (the default), the channel the "
        "customer used. A contact's request is always `api`; naming another channel is a 400.",
    )
    requester = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.none(),
        required=False,
        help_text="Staff only: the contact the request is opened for. Contacts open as themselves.",
    )
    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True
    )
    impact = serializers.ChoiceField(choices=Impact.choices, default=Impact.MEDIUM)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.MEDIUM)
    existing_ticket_number = serializers.CharField(
        required=False, allow_blank=True, max_length=20, default=""
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        contacts = self.context.get("contacts")
        if contacts is not None:
            self.fields["requester"].queryset = contacts


class FollowUpSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_LIMIT)
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        required=False,
        help_text="As when opening a ticket: staff only; a contact's follow-up is `api`.",
    )


class TransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=Ticket.Status.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class EscalateSerializer(serializers.Serializer):
    to_level = serializers.IntegerField(min_value=-MAX_INT, max_value=MAX_INT)
    reason = serializers.CharField(max_length=5000)


class PrioritySerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Priority.choices)
    reason = serializers.CharField(max_length=5000)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_staff=True), allow_null=True
    )


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = [
            "id",
            "direction",
            "channel",
            "author_contact",
            "author_user",
            "body",
            "asks_for_information",
            "created_at",
        ]
        read_only_fields = fields


class MessageCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=TEXT_LIMIT)
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        required=False,
        help_text="Staff: the channel of the answer (default portal). A contact's reply is `api`.",
    )
    public = serializers.BooleanField(default=True, help_text="Staff: False is an internal note.")
    asks_for_information = serializers.BooleanField(
        default=False, help_text="Staff: puts the ticket on hold waiting for the customer."
    )


class WorkLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkLog
        fields = [
            "id",
            "ticket",
            "agent",
            "started_at",
            "minutes",
            "note",
            "onsite",
            "billable",
            "charged",
            "created_at",
        ]
        read_only_fields = fields


class WorkLogCreateSerializer(serializers.Serializer):
    started_at = InstantField()
    minutes = serializers.IntegerField(min_value=-MAX_INT, max_value=MAX_INT)
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_LIMIT, default=""
    )
    onsite = serializers.BooleanField(default=False)
    billable = serializers.BooleanField(default=True)


class SessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScheduledSession
        fields = ["id", "ticket", "starts_at", "minutes", "agent", "status", "no_show_entry"]
        read_only_fields = fields


class SessionCreateSerializer(serializers.Serializer):
    starts_at = InstantField()
    minutes = serializers.IntegerField(min_value=-MAX_INT, max_value=MAX_INT, default=60)
    agent = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_staff=True),
        required=False,
        help_text="Default: the caller.",
    )


class NoShowSerializer(serializers.Serializer):
    session = SessionSerializer()
    entry = LedgerEntrySerializer()


class IntakeAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = IntakeAttempt
        fields = [
            "id",
            "customer",
            "contact",
            "requester_address",
            "channel",
            "subject",
            "reason",
            "message",
            "created_at",
        ]
        read_only_fields = fields


# --- sla ----------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class SecondsField(serializers.Field):
    """A duration as whole seconds (null without data)."""

    def to_representation(self, value):
        return int(value.total_seconds())


def _figure_field(figure: ComplianceFigure) -> tuple[str, serializers.Field]:
    if figure.kind == "count":
        return figure.name, serializers.IntegerField()
    if figure.kind == "share":
        return figure.name, serializers.DecimalField(
            max_digits=6, decimal_places=4, allow_null=True
        )
    return f"{figure.name}_seconds", SecondsField(source=figure.name, allow_null=True)


# One field per figure of `sla.selectors.COMPLIANCE_FIGURES`: a new figure reaches the API
# (and its schema) without being listed here.
GroupComplianceSerializer = type(
    "GroupComplianceSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "The compliance figures of one priority, or of all (`priority` null).",
        "priority": serializers.CharField(allow_null=True),
        **dict(_figure_field(figure) for figure in COMPLIANCE_FIGURES),
    },
)


class BreachSerializer(serializers.Serializer):
    ticket_number = serializers.CharField(source="label")
    kind = serializers.CharField()
    priority = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    stopped_at = serializers.DateTimeField(allow_null=True)
    late_by_seconds = SecondsField(source="late_by", allow_null=True)


class ComplianceSerializer(serializers.Serializer):
    contract = serializers.IntegerField()
    since = serializers.DateTimeField(allow_null=True)
    until = serializers.DateTimeField(allow_null=True)
    overall = GroupComplianceSerializer()
    by_priority = GroupComplianceSerializer(many=True)
    breaches = BreachSerializer(many=True)


# --- billing ------------------------------------------------------------------------------


class InvoiceLineSerializer(serializers.ModelSerializer):
    unit_price = MoneyField()
    subtotal = MoneyField()
    tax = MoneyField()
    total = MoneyField()

    class Meta:
        model = InvoiceLine
        fields = [
            "position",
            "kind",
            "description",
            "quantity",
            "unit_price",
            "tax_rate",
            "subtotal",
            "tax",
            "total",
            "credits",
            "period_start",
            "period_end",
        ]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="display_number", read_only=True)
    subtotal = MoneyField()
    tax = MoneyField()
    total = MoneyField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "kind",
            "source",
            "status",
            "number",
            "customer",
            "contract",
            "corrects",
            "correction_reason",
            "currency",
            "subtotal",
            "tax",
            "total",
            "period_start",
            "period_end",
            "issued_on",
            "due_on",
            "paid_at",
            "voided_at",
            "buyer_legal_name",
            "buyer_tax_id",
            "buyer_country",
        ]
        read_only_fields = fields


class InvoiceDetailSerializer(InvoiceSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "buyer_address", "void_reason", "lines"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    amount = MoneyField()
    attention_reason = serializers.ChoiceField(
        choices=Payment.Attention.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "provider",
            "provider_ref",
            "status",
            "customer",
            "invoice",
            "credit_pack",
            "amount",
            "received_on",
            "applied_at",
            "needs_attention",
            "attention_reason",
            "created_at",
        ]
        read_only_fields = fields


class TopUpCreateSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.none(),
        required=False,
        help_text="Staff: the customer. Contacts buy for their own customer.",
    )
    credit_pack = serializers.PrimaryKeyRelatedField(queryset=CreditPack.objects.all())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        customers = self.context.get("customers")
        if customers is not None:
            self.fields["customer"].queryset = customers


class TopUpSerializer(serializers.Serializer):
    payment = PaymentSerializer()
    client_secret = serializers.CharField(
        help_text="For Stripe.js: the customer confirms the payment with it."
    )


class PaymentRecordSerializer(serializers.Serializer):
    """A bank transfer or cash payment received by finance, for an invoice or a credit pack."""

    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    provider = serializers.ChoiceField(
        choices=[(Payment.Provider.BANK_TRANSFER, "bank_transfer"), (Payment.Provider.CASH, "cash")]
    )
    provider_ref = serializers.CharField(max_length=255)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.ChoiceField(choices=Customer._meta.get_field("currency").choices)
    received_on = serializers.DateField()
    invoice = serializers.PrimaryKeyRelatedField(
        queryset=Invoice.objects.all(), required=False, allow_null=True
    )
    credit_pack = serializers.PrimaryKeyRelatedField(
        queryset=CreditPack.objects.all(), required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
