from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivationsConfig(AppConfig):
    name = "activations"
    verbose_name = _("Activaciones")

    def ready(self) -> None:
        # A paid invoice ticks the "pago acreditado" step of its activations: billing announces
        # `invoice.paid` after commit (core.events) and knows nothing of activations.
        from activations import receivers  # noqa: F401
