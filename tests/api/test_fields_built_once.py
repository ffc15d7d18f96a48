"""creditdesk.api.serializers.common.FieldsBuiltOnce: the same fields as DRF builds, each
serializer with its own."""

from itertools import product

import pytest
from django.utils import translation
from rest_framework import serializers

from contracts.models import Contact
from creditdesk.api.serializers.common import _holds_fields
from creditdesk.api.serializers.tickets import (
    TicketDetailSerializer,
    TicketOpenSerializer,
    TicketSerializer,
)


def _built_by_drf(serializer_class):
    class Plain(serializers.ModelSerializer):
        class Meta(serializer_class.Meta):
            pass

    Plain._declared_fields = serializer_class._declared_fields
    return Plain().get_fields()


@pytest.mark.parametrize("languages", [("en", "es"), ("es", "en")])
def test_each_class_has_drfs_fields_and_each_instance_its_own_copies(languages):
    for language, serializer_class in product(
        languages, (TicketSerializer, TicketDetailSerializer)
    ):
        with translation.override(language):  # labels are set by the language's verbose names
            first, second = serializer_class().fields, serializer_class().fields
            drf = _built_by_drf(serializer_class)
        assert list(first) == list(second) == list(drf)
        for name, field in first.items():
            assert repr(field) == repr(drf[name])  # the class and every argument
            assert field is not second[name]  # bound to its own serializer
            assert field.parent is not second[name].parent
    # a field holding fields (a list of clocks) has its own children, bound to it
    first, second = TicketDetailSerializer().fields, TicketDetailSerializer().fields
    assert first["clocks"].child is not second["clocks"].child
    assert first["clocks"].child.parent is first["clocks"]
    # a subclass builds its own fields, not its parent's
    assert "clocks" in TicketDetailSerializer().fields
    assert "clocks" not in TicketSerializer().fields


def test_a_narrowed_choice_stays_on_its_own_serializer(db):
    # TicketOpenSerializer's fields are built once; the view narrows one instance's requesters
    contacts = Contact.objects.filter(pk__in=[1, 2])
    narrowed = TicketOpenSerializer(context={"contacts": contacts}).fields["requester"]
    plain = TicketOpenSerializer().fields["requester"]
    assert narrowed.queryset is contacts
    assert plain.queryset is not contacts
    assert not plain.queryset.exists()  # the class's own: no contact at all
    assert TicketOpenSerializer(context={}).fields["requester"].queryset is not contacts


def test_fields_holding_fields_are_the_ones_deep_copied():
    assert _holds_fields(serializers.ListField(child=serializers.CharField()))
    assert _holds_fields(TicketSerializer(many=True))
    assert _holds_fields(
        serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.UUIDField())
    )
    assert not _holds_fields(serializers.PrimaryKeyRelatedField(read_only=True))
    assert not _holds_fields(serializers.CharField())
