"""What a webhook says about the object its event is about: the object as the API shows it.

The API (top layer) registers, per model, a function returning the object's customer id and
its API representation (`creditdesk/api/webhook_payloads.py`); this app only calls them, so a
webhook's `data` and the API's answer come from the same serializer and cannot drift.
"""

from collections.abc import Callable
from typing import Any

Rendered = tuple[int | None, dict[str, Any]]  # (customer id, data)
_renderers: dict[type, Callable[[Any], Rendered]] = {}


def payload_renderer_register(model: type, render: Callable[[Any], Rendered]) -> None:
    _renderers[model] = render


def payload_render(instance: Any) -> Rendered:
    return _renderers[type(instance)](instance)
