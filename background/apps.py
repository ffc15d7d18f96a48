from django.apps import AppConfig


class BackgroundConfig(AppConfig):
    name = "background"
    verbose_name = "Trabajo en segundo plano"
    default_auto_field = "django.db.models.BigAutoField"
