"""Customers (with their credit account), contacts, plans, credit packs, services, contracts."""

from datetime import timedelta

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from djmoney.money import Money
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from contracts import services as contract_services
from contracts.models import Contact, Contract, CreditPack, Customer, Plan, Service
from contracts.selectors import contract_list, customer_list
from creditdesk.api import filters
from creditdesk.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from creditdesk.api.serializers.contracts import (
    ChangePlanSerializer,
    ComplianceSerializer,
    ContactSerializer,
    ContractCreateSerializer,
    ContractSerializer,
    CreditPackSerializer,
    CustomerSerializer,
    MonthSerializer,
    PlanCreateSerializer,
    PlanSerializer,
    ReasonSerializer,
    ServiceSerializer,
)
from creditdesk.api.serializers.credits import (
    AdjustmentSerializer,
    CreditSummarySerializer,
    LedgerEntrySerializer,
    credit_summary,
)
from creditdesk.api.views.base import ApiViewSet, ListMixin, RetrieveMixin
from creditdesk.reports.data import sla_report_data
from creditdesk.reports.rendering import sla_report_csv, sla_report_pdf
from creditdesk.roles import ALL, CREDIT_ADJUSTERS, CUSTOMER_WRITERS, Role
from credits.models import AllowanceMonth
from credits.selectors import credit_account_get
from credits.services import credit_account_get_or_create, credits_adjust
from sla.selectors import sla_compliance
from tickets.selectors import contract_clocks

MONTH = OpenApiParameter(
    "month", OpenApiTypes.STR, description="YYYY-MM; default: the current month"
)
READ = {"list": ALL, "retrieve": ALL}


@extend_schema_view(
    list=extend_schema(summary="Customers the caller may see"),
    create=extend_schema(
        request=CustomerSerializer,
        responses={201: CustomerSerializer},
        description="Account managers become the customer's account manager; admins may "
        "name another staff user.",
    ),
    partial_update=extend_schema(request=CustomerSerializer, responses=CustomerSerializer),
)
class CustomerViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    serializer_class = CustomerSerializer
    filterset_class = filters.CustomerApiFilter
    ordering_fields = ["legal_name", "created_at", "country"]
    customer_path = ""
    roles = {
        **READ,
        "create": CUSTOMER_WRITERS,
        "partial_update": CUSTOMER_WRITERS,
        "credits": ALL,
        "credit_adjustments": CREDIT_ADJUSTERS,
    }

    def get_queryset(self):
        return self.scoped(customer_list())

    def _account_manager(self, data: dict) -> None:
        chosen = data.get("account_manager")
        if self.is_(Role.ADMIN):
            return
        if chosen is not None and chosen != self.request.user:
            raise ValidationError(
                {"account_manager": [gettext("Solo un administrador asigna el gerente de cuenta.")]}
            )
        if self.action == "create":
            data["account_manager"] = self.request.user

    def create(self, request):
        data = self.parse(CustomerSerializer)
        self._account_manager(data)
        customer = contract_services.customer_create(**data)
        return self.render(CustomerSerializer, customer, status_code=201)

    def partial_update(self, request, pk=None):
        customer = self.get_object()
        serializer = CustomerSerializer(customer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        self._account_manager(data)
        customer = contract_services.customer_update(customer, **data)
        return self.render(CustomerSerializer, customer)

    @extend_schema(
        responses=CreditSummarySerializer,
        summary="Credit balance, held and available credits",
    )
    @action(detail=True, methods=["get"], url_path="credits", filter_backends=[])
    def credits(self, request, pk=None):
        customer = self.get_object()
        account = credit_account_get(customer=customer)
        return self.render(CreditSummarySerializer, credit_summary(customer.pk, account))

    @extend_schema(
        request=AdjustmentSerializer,
        responses={201: LedgerEntrySerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        summary="Adjust credits with a reason (finance)",
    )
    @action(detail=True, methods=["post"], url_path="credits/adjustments", filter_backends=[])
    @idempotent
    def credit_adjustments(self, request, pk=None):
        customer = self.get_object()
        data = self.parse(AdjustmentSerializer)
        entry = credits_adjust(
            account=credit_account_get_or_create(customer=customer),
            credits=data["credits"],
            reason=data["reason"],
            by=request.user,
        )
        return self.render(LedgerEntrySerializer, entry, status_code=201)


@extend_schema_view(
    create=extend_schema(request=ContactSerializer, responses={201: ContactSerializer}),
    partial_update=extend_schema(request=ContactSerializer, responses=ContactSerializer),
)
class ContactViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    serializer_class = ContactSerializer
    filterset_class = filters.ContactApiFilter
    ordering_fields = ["name", "created_at"]
    roles = {**READ, "create": CUSTOMER_WRITERS, "partial_update": CUSTOMER_WRITERS}

    def get_queryset(self):
        return self.scoped(Contact.objects.all()).order_by("customer_id", "name", "pk")

    def create(self, request):
        customers = self.scoped(Customer.objects.all(), path="", roles=CUSTOMER_WRITERS)
        data = self.parse(ContactSerializer, customers=customers)
        contact = contract_services.contact_create(**data)
        return self.render(ContactSerializer, contact, status_code=201)

    def partial_update(self, request, pk=None):
        contact = self.get_object()
        serializer = ContactSerializer(contact, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        contact = contract_services.contact_update(contact, **serializer.validated_data)
        return self.render(ContactSerializer, contact)


@extend_schema_view(
    create=extend_schema(request=PlanCreateSerializer, responses={201: PlanSerializer})
)
class PlanViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    """Support tiers: a catalogue every signed-in user may read."""

    serializer_class = PlanSerializer
    filterset_class = filters.PlanApiFilter
    ordering_fields = ["code", "name"]
    roles = {**READ, "create": frozenset({Role.ADMIN})}
    queryset = Plan.objects.order_by("code")

    def create(self, request):
        data = dict(self.parse(PlanCreateSerializer))
        currency = data["currency"]
        for name in Plan.MONEY_FIELDS:
            if name in data:
                data[name] = Money(data[name], currency)
        plan = contract_services.plan_create(**data)
        return self.render(PlanSerializer, plan, status_code=201)


class CreditPackViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    serializer_class = CreditPackSerializer
    filterset_class = filters.CreditPackApiFilter
    ordering_fields = ["credits", "price"]
    roles = READ
    queryset = CreditPack.objects.order_by("plan_id", "credits", "pk")


class ServiceViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    """The service catalogue a ticket may name."""

    serializer_class = ServiceSerializer
    filterset_class = filters.ServiceApiFilter
    ordering_fields = ["code", "name"]
    roles = READ
    queryset = Service.objects.select_related("category", "sla_policy").order_by("code")


_REASON = extend_schema(request=ReasonSerializer, responses=ContractSerializer)


@extend_schema_view(
    create=extend_schema(
        request=ContractCreateSerializer,
        responses={201: ContractSerializer},
        description="A new contract is a draft; activate it to make it the customer's live one.",
    )
)
class ContractViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    serializer_class = ContractSerializer
    filterset_class = filters.ContractApiFilter
    ordering_fields = ["starts_on", "created_at", "status"]
    roles = {
        **READ,
        "create": CUSTOMER_WRITERS,
        "activate": CUSTOMER_WRITERS,
        "suspend": CUSTOMER_WRITERS,
        "reactivate": CUSTOMER_WRITERS,
        "cancel": CUSTOMER_WRITERS,
        "change_plan": CUSTOMER_WRITERS,
        "withdraw_plan_change": CUSTOMER_WRITERS,
        "sla_compliance": ALL,
        "sla_report_pdf": ALL,
        "sla_report_csv": ALL,
    }

    def perform_content_negotiation(self, request, force=False):
        # The reports answer PDF or CSV themselves; their errors are JSON.
        documents = ("sla_report_pdf", "sla_report_csv")
        return super().perform_content_negotiation(request, force=force or self.action in documents)

    def _report(self):
        contract = self.get_object()
        month = self.parse(MonthSerializer, data=self.request.query_params)
        report = sla_report_data(contract=contract, period_start=month.get("month"))
        return report, f"sla-{contract.pk}-{report.period_start:%Y-%m}"

    def get_queryset(self):
        # This month in any customer's zone began at most a day before today's UTC date.
        since = (timezone.now().date() - timedelta(days=1)).replace(day=1)
        recent = Prefetch(
            "allowance_months",
            queryset=AllowanceMonth.objects.filter(month__gte=since),
            to_attr="recent_allowance_months",
        )
        return self.scoped(contract_list()).prefetch_related("services", "plan_changes", recent)

    def create(self, request):
        customers = self.scoped(Customer.objects.all(), path="", roles=CUSTOMER_WRITERS)
        data = self.parse(ContractCreateSerializer, customers=customers)
        contract = contract_services.contract_create(**data)
        return self.render(ContractSerializer, contract, status_code=201)

    def _transition(self, service):
        contract = self.get_object()
        data = self.parse(ReasonSerializer)
        service(contract, by=self.request.user, reason=data["reason"])
        return self.render(ContractSerializer, self.get_object())

    @_REASON
    @action(detail=True, methods=["post"], filter_backends=[])
    def activate(self, request, pk=None):
        return self._transition(contract_services.contract_activate)

    @_REASON
    @action(detail=True, methods=["post"], filter_backends=[])
    def suspend(self, request, pk=None):
        return self._transition(contract_services.contract_suspend)

    @_REASON
    @action(detail=True, methods=["post"], filter_backends=[])
    def reactivate(self, request, pk=None):
        return self._transition(contract_services.contract_reactivate)

    @_REASON
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request, pk=None):
        return self._transition(contract_services.contract_cancel)

    @extend_schema(request=ChangePlanSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"], url_path="change-plan", filter_backends=[])
    def change_plan(self, request, pk=None):
        contract = self.get_object()
        data = self.parse(ChangePlanSerializer)
        contract_services.contract_change_plan(contract, by=request.user, **data)
        return self.render(ContractSerializer, self.get_object())

    @extend_schema(request=None, responses=ContractSerializer)
    @action(detail=True, methods=["post"], url_path="withdraw-plan-change", filter_backends=[])
    def withdraw_plan_change(self, request, pk=None):
        contract_services.contract_withdraw_plan_change(self.get_object())
        return self.render(ContractSerializer, self.get_object())

    @extend_schema(
        responses=ComplianceSerializer,
        parameters=[
            OpenApiParameter("since", type=str, description="ISO 8601; clocks started from"),
            OpenApiParameter("until", type=str, description="ISO 8601; clocks started before"),
        ],
        summary="SLA compliance of the contract's tickets",
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="sla-compliance",
        filter_backends=[],
        pagination_class=None,
    )
    def sla_compliance(self, request, pk=None):
        contract = self.get_object()
        period = filters.ComplianceFilter(request.query_params, queryset=contract_clocks(contract))
        if not period.is_valid():
            raise ValidationError(period.errors)
        compliance = sla_compliance(clocks=period.qs)
        return self.render(
            ComplianceSerializer,
            _compliance_figures(contract, compliance, period.form.cleaned_data),
        )

    @extend_schema(
        parameters=[MONTH],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        summary="Monthly SLA compliance report as PDF (the customer's language by default)",
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="sla-report/pdf",
        filter_backends=[],
        pagination_class=None,
    )
    def sla_report_pdf(self, request, pk=None):
        report, name = self._report()
        language = request.LANGUAGE_CODE if "HTTP_ACCEPT_LANGUAGE" in request.META else None
        response = HttpResponse(sla_report_pdf(report, language=language), "application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response

    @extend_schema(
        parameters=[MONTH],
        responses={(200, "text/csv"): OpenApiTypes.STR},
        summary="Monthly SLA compliance report as CSV (one figure per row)",
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="sla-report/csv",
        filter_backends=[],
        pagination_class=None,
    )
    def sla_report_csv(self, request, pk=None):
        report, name = self._report()
        response = HttpResponse(sla_report_csv(report), "text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response


def _compliance_figures(contract: Contract, compliance, period: dict) -> dict:
    return {
        "contract": contract.pk,
        "since": period.get("since"),
        "until": period.get("until"),
        "overall": compliance.overall,
        "by_priority": compliance.by_priority,
        "breaches": compliance.breaches,
    }
