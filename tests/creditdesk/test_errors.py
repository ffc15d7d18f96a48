from decimal import Decimal

from django.utils import translation

from core.amounts import InvalidAmount
from core.errors import CreditdeskError


class NotEnoughCredits(CreditdeskError):
    code = "insufficient_credits"
    message_es = "Necesita {required} créditos disponibles y tiene {available}."
    message_en = "You need {required} available credits and have {available}."


def test_a_refusal_speaks_both_languages_and_keeps_its_code():
    error = NotEnoughCredits(required=2, available=1, field="credits")

    assert error.code == "insufficient_credits"
    assert error.message("es") == "Necesita 2 créditos disponibles y tiene 1."
    assert error.message("en-us") == "You need 2 available credits and have 1."
    assert error.as_dict("en") == {
        "code": "insufficient_credits",
        "message": "You need 2 available credits and have 1.",
        "fields": {"credits": ["You need 2 available credits and have 1."]},
    }


def test_the_active_language_is_the_default():
    with translation.override("es"):
        assert NotEnoughCredits(required=2, available=0).message().startswith("Necesita")


def test_a_refused_amount_beyond_any_column_is_shown_as_typed():
    huge = Decimal("1" + "0" * 40 + ".5")

    assert str(huge) in InvalidAmount(field="amount", value=huge).message("es")
