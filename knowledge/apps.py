from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = _("Base de conocimiento")

    def ready(self) -> None:
        # The seeds' articles load with their seed's preset (`manage.py load_presets`):
        # contracts sits below this app, so it is told here rather than importing it.
        from contracts.presets import extend

        extend("sla-service-types", "knowledge.presets.seed_000")
        extend("support-tiers", "knowledge.presets.seed_002")
