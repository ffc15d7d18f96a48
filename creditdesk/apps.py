from django.apps import AppConfig


class CreditdeskConfig(AppConfig):
    name = "creditdesk"
    verbose_name = "Creditdesk"
