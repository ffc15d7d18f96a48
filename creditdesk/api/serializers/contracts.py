"""Customers, contacts, plans, credit packs, services, contracts, and a contract's SLA
compliance (`creditdesk.api.views.contracts`)."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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
from creditdesk.api.serializers.common import (
    CREDITS,
    MAX_INT,
    MoneyField,
    MonthField,
    PlainDecimalField,
    RowField,
    ScopedChoicesMixin,
    SecondsField,
    rows_field,
)
from credits.allowance import allowance_status
from sla.selectors import COMPLIANCE_FIGURES, ComplianceFigure


class CustomerSerializer(serializers.ModelSerializer):
    serializer_related_field = RowField

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


class ContactSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    scoped_choices = {"customer": "customers"}
    serializer_related_field = RowField

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
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["customer"].read_only = True


class PlanSerializer(serializers.ModelSerializer):
    monthly_fee = MoneyField()
    credit_price = MoneyField()
    onsite_surcharge = MoneyField()
    overage_hour_price = MoneyField(allow_null=True)
    included_hours = PlainDecimalField(
        max_digits=6,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="Hours included per contract and calendar month of the customer; null: none.",
    )
    overage = serializers.ChoiceField(
        choices=Plan.Overage.choices,
        read_only=True,
        help_text="Included support with included hours: how the work beyond them is billed "
        "at month end (money at `overage_hour_price` per started hour, credits, or none).",
    )

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
            "support_model",
            "included_hours",
            "overage",
            "overage_hour_price",
            "phone_requires_ticket_number",
            "min_available_credits",
            "min_billable_credits",
            "billing_increment_minutes",
            "rounding",
            "credit_price",
            "onsite_surcharge",
            "sla_policy",
            "payment_grace_days",
            "answer_hours",
            "answer_days",
            "unanswered_limit",
            "is_active",
        ]
        read_only_fields = fields


class PlanCreateSerializer(serializers.Serializer):
    """Prices are amounts in the plan's currency."""

    code = serializers.SlugField(max_length=60)
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    currency = serializers.ChoiceField(choices=Plan._meta.get_field("currency").choices)
    monthly_fee = PlainDecimalField(max_digits=14, decimal_places=2, required=False)
    monthly_fee_taxable = serializers.BooleanField(required=False)
    allowed_channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Channel.choices), required=False, max_length=10
    )
    phone_requires_ticket_number = serializers.BooleanField(required=False)
    min_available_credits = PlainDecimalField(**CREDITS, required=False)
    min_billable_credits = PlainDecimalField(**CREDITS, required=False)
    billing_increment_minutes = serializers.IntegerField(
        min_value=1, max_value=MAX_INT, required=False
    )
    rounding = serializers.ChoiceField(choices=Plan.Rounding.choices, required=False)
    credit_price = PlainDecimalField(max_digits=14, decimal_places=2, required=False)
    onsite_surcharge = PlainDecimalField(max_digits=14, decimal_places=2, required=False)
    payment_grace_days = serializers.IntegerField(min_value=0, max_value=MAX_INT, required=False)
    support_model = serializers.ChoiceField(choices=Plan.SupportModel.choices, required=False)
    included_hours = PlainDecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True
    )
    overage = serializers.ChoiceField(choices=Plan.Overage.choices, required=False)
    overage_hour_price = PlainDecimalField(max_digits=14, decimal_places=2, required=False)
    answer_hours = serializers.IntegerField(
        min_value=1, max_value=MAX_INT, required=False, allow_null=True
    )
    answer_days = serializers.IntegerField(
        min_value=1, max_value=MAX_INT, required=False, allow_null=True
    )
    unanswered_limit = serializers.IntegerField(
        min_value=1, max_value=MAX_INT, required=False, allow_null=True
    )
    is_active = serializers.BooleanField(required=False)


class CreditPackSerializer(serializers.ModelSerializer):
    price = MoneyField()

    class Meta:
        model = CreditPack
        fields = ["id", "plan", "name", "credits", "price", "is_active"]
        read_only_fields = fields


class ServiceSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    sla_policy = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        help_text="The SLA policy this type's requests are measured on; null: the plan's.",
    )
    allowed_channels = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Empty: the plan's channels; otherwise only these (and the plan's).",
    )
    billed = serializers.BooleanField(
        read_only=True, help_text="On a prepaid-credits plan, whether these requests charge."
    )

    class Meta:
        model = Service
        fields = [
            "id",
            "code",
            "name",
            "description",
            "category",
            "default_impact",
            "sla_policy",
            "allowed_channels",
            "billed",
            "mail_address",
            "is_active",
        ]
        read_only_fields = fields


class PlanChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanChange
        fields = ["id", "from_plan", "to_plan", "effective_on", "reason", "applied_at"]
        read_only_fields = fields


class AllowanceSerializer(serializers.Serializer):
    """A contract's allowance of included hours in the current month."""

    month = serializers.DateField(help_text="First day of the month, in the customer's zone.")
    included_minutes = serializers.IntegerField()
    used_minutes = serializers.IntegerField(help_text="Drawn by requests charged this month.")
    left_minutes = serializers.IntegerField()
    over_minutes = serializers.IntegerField(help_text="Worked beyond the allowance.")


class ContractSerializer(serializers.ModelSerializer):
    rounding = serializers.ChoiceField(
        choices=Plan.Rounding.choices, allow_blank=True, read_only=True
    )
    plan_changes = PlanChangeSerializer(
        many=True,
        read_only=True,
        help_text="Oldest first; `applied_at` is null while a change waits for its day.",
    )
    allowance = serializers.SerializerMethodField(
        help_text="This month's included hours, used and left; null when the plan has none."
    )

    @extend_schema_field(AllowanceSerializer(allow_null=True))
    def get_allowance(self, contract: Contract) -> dict | None:
        # A list prefetches the recent months (`recent_allowance_months`); one contract reads.
        months = getattr(contract, "recent_allowance_months", None)
        status = allowance_status(contract=contract, months=months)
        return None if status is None else AllowanceSerializer(status).data

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
            "allowance",
            "created_at",
        ]
        read_only_fields = fields


class ContractCreateSerializer(ScopedChoicesMixin, serializers.Serializer):
    scoped_choices = {"customer": "customers"}

    customer = RowField(queryset=Customer.objects.none())
    plan = RowField(queryset=Plan.objects.all())
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    services = rows_field(RowField(queryset=Service.objects.all()), required=False)
    min_available_credits = PlainDecimalField(**CREDITS, required=False, allow_null=True)
    min_billable_credits = PlainDecimalField(**CREDITS, required=False, allow_null=True)
    billing_increment_minutes = serializers.IntegerField(
        min_value=1, max_value=MAX_INT, required=False, allow_null=True
    )
    rounding = serializers.ChoiceField(
        choices=Plan.Rounding.choices, required=False, allow_blank=True
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class MonthSerializer(serializers.Serializer):
    month = MonthField(required=False)


class ChangePlanSerializer(serializers.Serializer):
    plan = RowField(queryset=Plan.objects.filter(is_active=True))
    effective_on = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


# --- SLA compliance ----------------------------------------------------------------------


def _figure_field(figure: ComplianceFigure) -> tuple[str, serializers.Field]:
    if figure.kind == "count":
        return figure.name, serializers.IntegerField()
    if figure.kind == "share":
        return figure.name, PlainDecimalField(max_digits=6, decimal_places=4, allow_null=True)
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
