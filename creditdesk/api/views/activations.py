"""Activations through the API (seed 004): staff and the customer's contacts read them (with
their checklist and state now); sellers register a purchase; the staff who work tickets tick
a prerequisite, record the product active or cancel it. Object access: `creditdesk.roles.
activations_visible_to` (another customer's activation is a 404); writes: `activations.
services`."""

from django.utils import timezone
from djmoney.money import Money
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound

from activations.selectors import activations_list, products_list
from activations.services import (
    activation_cancel,
    activation_complete,
    activation_purchase,
    activation_step_meet,
)
from billing.models import Invoice
from contracts.models import Customer
from creditdesk.api.filters import ActivationApiFilter
from creditdesk.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from creditdesk.api.serializers.activations import (
    ActivationCancelSerializer,
    ActivationProductSerializer,
    ActivationPurchaseSerializer,
    ActivationSerializer,
    ActivationStepMeetSerializer,
)
from creditdesk.api.views.base import ApiViewSet, ListMixin, RetrieveMixin
from creditdesk.roles import (
    ACTIVATION_SELLERS,
    ACTIVATION_WORKERS,
    ALL,
    activations_visible_to,
)
from sla.models import ActivationLeadTime


class ActivationViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    """Listed soonest due first (waiting ones, without a due time yet, last)."""

    serializer_class = ActivationSerializer
    filterset_class = ActivationApiFilter
    roles = {
        "list": ALL,
        "retrieve": ALL,
        "create": ACTIVATION_SELLERS,
        "meet_step": ACTIVATION_WORKERS,
        "complete": ACTIVATION_WORKERS,
        "cancel": ACTIVATION_WORKERS,
    }

    def get_queryset(self):
        return activations_list(
            activations=activations_visible_to(self.request.user), now=timezone.now()
        )

    @extend_schema(
        request=ActivationPurchaseSerializer,
        responses={201: ActivationSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        summary="Register a purchase: issues its invoice (or links one) and lists its "
        "prerequisites",
    )
    @idempotent
    def create(self, request):
        data = self.parse(ActivationPurchaseSerializer)
        customer = self.scoped(Customer.objects.all(), path="").filter(pk=data["customer"]).first()
        product = ActivationLeadTime.objects.filter(pk=data["product"]).first()
        if customer is None or product is None:
            raise NotFound()
        invoice = None
        if data.get("invoice") is not None:
            invoice = Invoice.objects.filter(pk=data["invoice"], customer=customer).first()
            if invoice is None:
                raise NotFound()
        price = data.get("unit_price")
        activation = activation_purchase(
            customer=customer,
            product=product,
            unit_price=Money(price, customer.currency) if price is not None else None,
            invoice=invoice,
            ticket_number=data.get("ticket", ""),
            by=request.user,
        )
        return self.render(ActivationSerializer, activation, status_code=201)

    @extend_schema(
        request=ActivationStepMeetSerializer,
        responses=ActivationSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        summary="Tick a prerequisite by its position (not the payment: the paid invoice does)",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"steps/(?P<position>[0-9]{1,4})/meet",
        filter_backends=[],
    )
    @idempotent
    def meet_step(self, request, pk=None, position=None):
        activation = self.get_object()
        step = activation.steps.filter(position=int(position)).first()
        if step is None:
            raise NotFound()
        data = self.parse(ActivationStepMeetSerializer)
        activation_step_meet(step=step, by=request.user, note=data.get("note", ""))
        return self.render(ActivationSerializer, self.get_queryset().get(pk=activation.pk))

    @extend_schema(
        request=None,
        responses=ActivationSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        summary="Record the product active (its clock must be running)",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    @idempotent
    def complete(self, request, pk=None):
        activation_complete(activation=self.get_object(), by=request.user)
        return self.render(ActivationSerializer, self.get_queryset().get(pk=pk))

    @extend_schema(
        request=ActivationCancelSerializer,
        responses=ActivationSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        summary="Cancel an activation not active yet, saying why (again: nothing changes)",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    @idempotent
    def cancel(self, request, pk=None):
        activation = self.get_object()
        data = self.parse(ActivationCancelSerializer)
        activation_cancel(activation=activation, reason=data.get("reason", ""), by=request.user)
        return self.render(ActivationSerializer, self.get_queryset().get(pk=activation.pk))


class ActivationProductViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    """The catalogue: each product's activation kind and lead time (edited in the workspace
    or the admin)."""

    serializer_class = ActivationProductSerializer
    roles = {"list": ALL, "retrieve": ALL}

    def get_queryset(self):
        return products_list()
