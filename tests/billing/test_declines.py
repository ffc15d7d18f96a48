"""A declined card's reason, in the customer's language (billing.declines)."""

from django.utils import translation

from billing.declines import REASONS, decline_code, decline_reason


def test_the_banks_reason_is_preferred_to_the_errors_kind():
    error = {"code": "card_declined", "decline_code": "insufficient_funds", "message": "..."}
    assert decline_code(error) == "insufficient_funds"
    assert decline_code({"code": "expired_card", "message": "Your card has expired."}) == (
        "expired_card"
    )
    assert decline_code({"message": "no code at all"}) == ""
    assert len(decline_code({"code": "x" * 500})) == 100  # the columns' length


def test_a_bank_reason_we_have_no_words_for_keeps_the_errors_kind_we_have():
    # a code Stripe may add tomorrow, under a kind we know: the customer reads ours
    assert decline_code({"code": "card_declined", "decline_code": "brand_new_reason"}) == (
        "card_declined"
    )
    # neither known: the bank's, for the staff
    assert decline_code({"code": "new_kind", "decline_code": "brand_new_reason"}) == (
        "brand_new_reason"
    )


def test_every_reason_reads_in_spanish_and_in_english():
    for code in REASONS:
        with translation.override("es"):
            spanish = decline_reason(code)
        with translation.override("en"):
            english = decline_reason(code)
        assert spanish, code
        assert english not in ("", spanish), code


def test_fraud_suspicions_are_told_as_a_plain_decline():
    # Stripe's advice: the person paying may be the one the bank suspects
    with translation.override("es"):
        plain = decline_reason("generic_decline")
        assert {decline_reason(code) for code in ("fraudulent", "lost_card", "stolen_card")} == {
            plain
        }


def test_a_code_we_do_not_know_has_no_words_of_ours():
    assert decline_reason("some_future_code") == ""
    assert decline_reason("") == ""
