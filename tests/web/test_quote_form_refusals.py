"""The new-quote form's refusals as its reader sees them: a refusal of a line lands on the
form row the user filled (blank rows are dropped before the service counts lines), numbers
are written as the reader's language writes them, and every line refusal is introduced by
its field's label in lower case."""

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from quotes.models import Quote
from tests.quotes.conftest import _quote_series, ticket  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def logged_in(user, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def visible_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def post(shop, ticket, language: str, **lines):  # noqa: F811
    valid_until = (timezone.localdate() + timedelta(days=3)).isoformat()
    data = {"kind": "money", "valid_until": valid_until, "terms": ""} | lines
    return logged_in(shop.agent, language).post(
        f"/workspace/tickets/{ticket.number}/quotes/new/", data
    )


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "es",
            "Línea 2: precio unitario sin impuesto: no puede quedar vacío; escriba un número "
            "mayor que cero con hasta dos decimales.",
        ),
        (
            "en",
            "Line 2: unit price excluding tax: cannot be empty; write a number greater than "
            "zero with at most two decimals.",
        ),
    ],
)
def test_a_refusal_of_the_second_row_lands_on_it_when_the_first_is_blank(
    shop,
    ticket,  # noqa: F811
    language,
    words,
):
    page = post(
        shop,
        ticket,
        language,
        **{"lines.1.description": "Configuración DNS", "lines.1.quantity": "2"},
    )

    assert page.status_code == 200
    errors = page.context["form"].errors
    assert errors["lines.1.unit_price"] == [words]
    assert "lines.0.unit_price" not in errors
    assert words in visible_text(page.content.decode())
    # the refusal is said at the top too: the line may be a screen below
    summary = {
        "es": "El borrador no se guardó: corrija los campos marcados abajo.",
        "en": "The draft was not saved: correct the fields marked below.",
    }
    assert summary[language] in visible_text(page.content.decode())
    assert not Quote.objects.exists()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "es",
            "Línea 3: el total de la línea con impuesto supera el máximo de 999.999.999.999,99.",
        ),
        (
            "en",
            "Line 3: the line's total with tax exceeds the maximum of 999,999,999,999.99.",
        ),
    ],
)
def test_a_whole_line_refusal_names_the_row_filled_and_writes_the_maximum_in_words(
    shop,
    ticket,  # noqa: F811
    language,
    words,
):
    huge = "99.999.999,99" if language == "es" else "99,999,999.99"
    page = post(
        shop,
        ticket,
        language,
        **{
            "lines.0.description": "Migración",
            "lines.0.unit_price": "1000",
            "lines.2.description": "Una obra enorme",
            "lines.2.quantity": "100000",
            "lines.2.unit_price": huge,
        },
    )

    assert page.status_code == 200
    assert page.context["form"].non_field_errors() == [words]
    assert words in visible_text(page.content.decode())
    assert not Quote.objects.exists()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("es", "Línea 2: cantidad: «100.000,5» supera el máximo de 100.000."),
        ("en", "Line 2: quantity: '100,000.5' is over the maximum of 100,000."),
    ],
)
def test_a_quantity_past_the_maximum_is_refused_on_its_field_in_words(
    shop,
    ticket,  # noqa: F811
    language,
    words,
):
    quantity = "100.000,5" if language == "es" else "100,000.5"
    page = post(
        shop,
        ticket,
        language,
        **{
            "lines.1.description": "Configuración DNS",
            "lines.1.quantity": quantity,
            "lines.1.unit_price": "1000",
        },
    )

    assert page.status_code == 200
    assert page.context["form"].errors["lines.1.quantity"] == [words]
    assert words in visible_text(page.content.decode())
    assert not Quote.objects.exists()
