from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        # credits decides solvency; billing tells it who is administratively insolvent.
        from billing.selectors import customer_is_administratively_insolvent
        from credits.solvency import register_insolvency_check

        register_insolvency_check(customer_is_administratively_insolvent)
