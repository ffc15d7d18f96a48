"""The Content-Security-Policy every response carries (django.middleware.csp, `SECURE_CSP`).

Our own origin only; inline <script> and <style> blocks carry the request's nonce
(`{{ csp_nonce }}`, never 'unsafe-inline'); Stripe.js and the Stripe API for card payments,
from wherever `STRIPE_API_BASE` points (Stripe itself when empty, localstripe in tests, which
serves Stripe.js under `<base>/js.stripe.com/`). Imported by the settings: no Django settings
access here.
"""

from django.utils.csp import CSP


def content_security_policy(*, stripe_api_base: str = "") -> dict[str, list[str]]:
    base = stripe_api_base.rstrip("/")
    stripe_js = f"{base}/js.stripe.com/" if base else "https://js.stripe.com"
    stripe_api = base or "https://api.stripe.com"
    return {
        "default-src": [CSP.SELF],
        "script-src": [CSP.SELF, CSP.NONCE, stripe_js],
        "style-src": [CSP.SELF, CSP.NONCE],
        "img-src": [CSP.SELF, "data:"],
        "font-src": [CSP.SELF],
        "connect-src": [CSP.SELF, stripe_api],
        "frame-src": [stripe_js, base or "https://hooks.stripe.com"],
        "object-src": [CSP.NONE],
        "base-uri": [CSP.SELF],
        "form-action": [CSP.SELF],
        "frame-ancestors": [CSP.NONE],
    }
