"""Choice labels read from a table built once per field and language."""

import functools
from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language


@functools.cache
def _labels(field: models.Field, language: str | None) -> dict[Any, str]:
    # `language` is part of the key: the labels are translated into it here, once.
    return {make_hashable(value): str(label) for value, label in field.flatchoices}


class ChoiceLabels(models.Model):
    """`get_<field>_display()` as Django's, from `_labels`. Django's own rebuilds a table of
    every choice on each call, translating every label to hash it: the agents' queue asked
    for two labels on each of its 50 rows, about 1,500 translations a page."""

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field) -> Any:  # a value without a label: as is
        value = getattr(self, field.attname)
        label = _labels(field, get_language()).get(make_hashable(value), value)
        return force_str(label, strings_only=True)
