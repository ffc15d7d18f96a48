from django.apps import AppConfig


class CreditdeskConfig(AppConfig):
    name = "creditdesk"
    verbose_name = "Creditdesk"

    def ready(self):
        _admin_money_in_one_form()


def _admin_money_in_one_form():
    """The admin's list columns and read-only fields write money as every page does
    (`core.formatting.money_text`). djmoney, whose app is readied before this one, replaces
    Django's `display_for_field` in the admin's modules with one that writes babel's form
    for the reader's locale ("1.000,00 US$" for a dollar in Spanish); this wraps it the same
    way, where djmoney's hook is the only one the admin offers."""
    import django.contrib.admin.helpers as admin_helpers
    import django.contrib.admin.templatetags.admin_list as admin_list
    import django.contrib.admin.utils as admin_utils
    from djmoney.models.fields import MoneyField

    from core.formatting import money_text

    djmoney_display_for_field = admin_utils.display_for_field

    def display_for_field(value, field, *args, **kwargs):
        if isinstance(field, MoneyField) and value is not None:
            return money_text(value)
        return djmoney_display_for_field(value, field, *args, **kwargs)

    for module in (admin_utils, admin_helpers, admin_list):
        module.display_for_field = display_for_field
