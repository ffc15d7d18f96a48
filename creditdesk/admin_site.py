"""The administration site: Django's, except that a signed-in user it does not admit (a
customer's contact, a deactivated staff flag) gets the 403 page instead of the admin's login
form, like every other page of the site."""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _


def _refuse_signed_in_outsiders(site: admin.AdminSite, view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and not site.has_permission(request):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


class AdminSite(admin.AdminSite):
    site_header = _("Creditdesk · administración")
    site_title = _("Creditdesk")
    index_title = _("Administración")

    def admin_view(self, view, cacheable=False):
        return _refuse_signed_in_outsiders(self, super().admin_view(view, cacheable))

    def login(self, request, extra_context=None):
        return _refuse_signed_in_outsiders(self, super().login)(request, extra_context)

    def shows_something_to(self, request) -> bool:
        """Whether `get_app_list(request)` would list anything: the same test per model
        (`_build_app_dict`'s), stopping at the first model instead of building, translating
        and sorting the whole list (3 ms on every page an administrator opens)."""
        if not self.has_permission(request):
            return False
        return any(
            model_admin.has_module_permission(request)
            and True in model_admin.get_model_perms(request).values()
            for model_admin in self._registry.values()
        )


class CreditdeskAdminConfig(AdminConfig):
    default_site = "creditdesk.admin_site.AdminSite"
