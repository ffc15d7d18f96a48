"""What the card pages hand Stripe.js (creditdesk.web.stripe_js)."""

from django.utils import translation

from creditdesk.web.stripe_js import stripe_js_config


def test_stripe_js_speaks_the_pages_language(settings):
    # Stripe.js writes its own errors (a declined card) in the locale it is given
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_creditdesk"
    with translation.override("es"):
        spanish = stripe_js_config(secret="pi_1_secret_2", failed="El pago no se completó.")
    with translation.override("en"):
        english = stripe_js_config(secret="pi_1_secret_2")
    assert spanish == {
        "key": "pk_test_creditdesk",
        "secret": "pi_1_secret_2",
        "locale": "es-419",
        "failed": "El pago no se completó.",
    }
    assert english is not None
    assert english["locale"] == "en"


def test_nothing_for_stripe_js_without_a_key_or_an_intent(settings):
    settings.STRIPE_PUBLISHABLE_KEY = ""
    assert stripe_js_config(secret="pi_1_secret_2") is None
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_creditdesk"
    assert stripe_js_config(secret="") is None
