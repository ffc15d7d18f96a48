from typing import Any

from django import forms

class MoneyField(forms.MultiValueField):
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...
