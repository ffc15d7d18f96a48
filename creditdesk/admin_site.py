"""The administration site: Django's, except that a signed-in user it does not admit (a
customer's contact, a deactivated staff flag) gets the 403 page instead of the admin's login
form, like every other page of the site."""

import re
from functools import wraps

from django.contrib import admin, messages
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ERROR_FLAG, SEARCH_VAR
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, QueryDict
from django.utils.translation import gettext_lazy as _

from core.forms import RowIdsChoiceField, RowsBoundFormSet, names_no_row
from core.text import row_id


def _refuse_signed_in_outsiders(site: admin.AdminSite, view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and not site.has_permission(request):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# A search no column's text is this long; SQLite refuses a LIKE pattern past 50,000.
SEARCH_LIMIT = 1000
_YEAR = re.compile(r"[0-9]{1,4}")


def _unusable_filter(params: QueryDict) -> bool:
    """A list's query string Django's admin would take to the database and fail on there
    (a 500), where it answers a filter it cannot apply by listing without filters: a NUL
    (PostgreSQL), a year no date has, a number past any column (negative or in a list too), a
    search past SQLite's LIKE."""
    if len(params.get(SEARCH_VAR, "")) > SEARCH_LIMIT:
        return True
    for name, values in params.lists():
        for value in values:
            if "\x00" in value:
                return True
            if name != SEARCH_VAR and any(_past_any_column(part) for part in value.split(",")):
                return True
            if "__year" in name and not (_YEAR.fullmatch(value) and int(value) >= 1):
                return True
    return False


def _past_any_column(text: str) -> bool:
    digits = text.removeprefix("-")
    return digits.isdigit() and row_id(digits) is None


def _refuse_unusable_filters(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "GET" and _unusable_filter(request.GET):
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return view(request, *args, **kwargs)

    return wrapper


class _RowIdsAutocompleteSelect(AutocompleteSelect):
    """Django's, except that a value sent back with the form's errors that can name no row
    (`core.forms.names_no_row`) is not looked up: SQLite's driver cannot even take a number
    past its integer, PostgreSQL's a NUL (a 500)."""

    def optgroups(self, name, value, attr=None):
        value = [choice for choice in value if not names_no_row(self.field.target_field, choice)]
        return super().optgroups(name, value, attr)


class _RowIdsAdmin:
    """Rows chosen in an admin form (a contract's customer, an article's plans, a group's
    permissions) or for an action by a value that can name no row (`core.forms.names_no_row`:
    "²", a number past the column, a NUL) are refused on the field or the action, where
    Django's admin fails in the database."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = _RowIdsAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", RowIdsChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def response_action(self, request, queryset, *args, **kwargs):
        """An action on rows named by a value that can name none (a page of the list sends
        only real ids) does nothing and says so: Django's would filter by it, a 500."""
        for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
            if names_no_row(self.model._meta.pk, value):
                refusal = _("«%(value)s» no es ninguna fila de la lista: no se cambió nada.")
                self.message_user(request, refusal % {"value": value[:40]}, messages.ERROR)
                return None
        return super().response_action(request, queryset, *args, **kwargs)


class _BoundedInline:
    """An inline's posted forms are `core.forms.RowsBoundFormSet`."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (RowsBoundFormSet, formset), {})


def _derived(admin_class: type, *mixins: type, **attributes) -> type:
    return type(
        admin_class.__name__,
        (*mixins, admin_class),
        {"__module__": admin_class.__module__, **attributes},
    )


class AdminSite(admin.AdminSite):
    site_header = _("Creditdesk · administración")
    site_title = _("Creditdesk")
    index_title = _("Administración")

    def admin_view(self, view, cacheable=False):
        return _refuse_signed_in_outsiders(
            self, _refuse_unusable_filters(super().admin_view(view, cacheable))
        )

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every registered model's admin, and each of its inlines, chooses rows as
        `_RowIdsAdmin` does; each inline's posted forms are bounded (`_BoundedInline`)."""
        admin_class = admin_class or admin.ModelAdmin
        inlines = [_derived(inline, _RowIdsAdmin, _BoundedInline) for inline in admin_class.inlines]
        super().register(
            model_or_iterable, _derived(admin_class, _RowIdsAdmin, inlines=inlines), **options
        )

    @property
    def login_form(self):
        # imported when asked for: this module loads with the apps, before the models that
        # the sign-in forms import
        from creditdesk.web.sign_in import AdminSignInForm

        return AdminSignInForm

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
