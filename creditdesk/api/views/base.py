"""What every API view shares: authentication, the role table, customer scoping, and the
parse -> service -> render helpers that keep the views thin."""

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import status, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from creditdesk.api.permissions import RolePermission
from creditdesk.roles import ALL, Role, has_role, scope


class ApiViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, RolePermission]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    # action -> roles allowed (see creditdesk.roles); unlisted actions are refused.
    roles: dict[str, frozenset[Role]] = {}
    # Path from the view's model to its customer ("" for Customer itself).
    customer_path = "customer"

    def scoped(self, queryset, *, path: str | None = None, roles=ALL):
        return scope(
            queryset, self.request.user, self.customer_path if path is None else path, roles=roles
        )

    def is_(self, *roles: Role) -> bool:
        return has_role(self.request.user, roles)

    def parse(self, serializer_class, *, data=None, **context: Any) -> dict:
        serializer = serializer_class(
            data=self.request.data if data is None else data,
            context={**self.get_serializer_context(), **context},
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def render(self, serializer_class, instance, *, status_code: int = status.HTTP_200_OK):
        data = serializer_class(instance, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    def render_page(self, queryset, serializer_class):
        page = self.paginate_queryset(queryset)
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)


class ListMixin:
    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        return self.render_page(queryset, self.get_serializer_class())


class RetrieveMixin:
    def retrieve(self, request, *args, **kwargs):
        return self.render(self.get_serializer_class(), self.get_object())
