from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuotesConfig(AppConfig):
    name = "quotes"
    verbose_name = _("Presupuestos")

    def ready(self) -> None:
        # A ticket resolved as "quote issued" names one of its quotes; tickets cannot read
        # quotes (they sit below), so this app gives them the check.
        from quotes.selectors import quote_outcome_check
        from tickets.outcomes import quote_check_register

        quote_check_register(quote_outcome_check)
