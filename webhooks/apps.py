from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from core.events import domain_event, event_interest_register
        from webhooks import receivers, services

        domain_event.connect(receivers.on_domain_event, dispatch_uid="webhooks")
        event_interest_register(services.events_subscribed)
