from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "creditdesk.api"
    label = "api"
    verbose_name = "API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from creditdesk.api import webhook_payloads

        webhook_payloads.register()
