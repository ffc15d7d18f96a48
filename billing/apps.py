from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Facturación")

    def ready(self) -> None:
        # credits decides solvency; billing tells it who is administratively insolvent.
        from billing.selectors import (
            customer_is_administratively_insolvent,
            invoice_list_overdue_of,
        )
        from credits.solvency import register_insolvency_check

        register_insolvency_check(
            customer_is_administratively_insolvent, rows=invoice_list_overdue_of
        )

        # tickets announces on-site work; billing invoices the plan's surcharge at month end.
        from billing.receivers import record_onsite_work
        from contracts.signals import onsite_work_logged

        onsite_work_logged.connect(record_onsite_work, dispatch_uid="billing.onsite")

        # credits announces changed credits; billing's auto top-up charges a saved card.
        from billing.receivers import check_auto_top_up
        from credits.signals import available_credits_changed

        available_credits_changed.connect(check_auto_top_up, dispatch_uid="billing.auto_top_up")
