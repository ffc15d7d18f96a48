"""Where money moves the types say so: every parameter of a public service in credits and
billing is annotated, and none that carries credits or an amount is `Any` (mypy, run by
.ci/run, then checks every caller against these)."""

import importlib
import inspect
import pkgutil
import typing

import pytest

import billing.services

MONEY_WORDS = ("credits", "amount", "price", "fee", "total", "money")


def _service_modules():
    yield importlib.import_module("credits.services")
    for info in pkgutil.iter_modules(billing.services.__path__):
        yield importlib.import_module(f"billing.services.{info.name}")


def _public_services():
    for module in _service_modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                yield pytest.param(function, id=f"{module.__name__}.{name}")


def _mentions_any(hint: object) -> bool:
    return hint is typing.Any or any(_mentions_any(arg) for arg in typing.get_args(hint))


@pytest.mark.parametrize("function", list(_public_services()))
def test_public_services_type_their_money_and_credits(function):
    signature = inspect.signature(function)
    hints = typing.get_type_hints(function)
    for name, parameter in signature.parameters.items():
        if parameter.kind in (parameter.VAR_KEYWORD, parameter.VAR_POSITIONAL):
            continue
        assert name in hints, f"{function.__qualname__}({name}) has no type"
        if any(word in name for word in MONEY_WORDS):
            assert not _mentions_any(hints[name]), f"{function.__qualname__}({name}) is Any"


def test_the_check_sees_the_services_it_guards():
    names = {param.id for param in _public_services()}

    assert {"credits.services.credits_top_up", "billing.services.invoices.line_amounts"} <= names
