"""Credits admin: accounts with balance and available credits, a read-only ledger, holds and
credit blocks, an adjustment form that goes through `credits_adjust` (reason required), and
the validity of plans' and packs' credits (`PlanCreditTerms`, `PackCreditTerms`)."""

from typing import cast

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.amounts import PLAIN_NUMBER_FORM_FIELDS
from core.errors import CreditdeskError
from core.read_only_admin import ReadOnlyAdmin
from credits.forms import CreditAdjustmentForm
from credits.models import (
    CreditAccount,
    CreditBlock,
    CreditHold,
    LedgerEntry,
    LowCreditsAlert,
    PackCreditTerms,
    PlanCreditTerms,
)
from credits.selectors import credit_account_list
from credits.services import credits_adjust


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    fields = ("sequence", "kind", "credits", "balance_after", "reason", "created_at")
    readonly_fields = fields
    ordering = ("-sequence",)
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class CreditBlockInline(admin.TabularInline):
    model = CreditBlock
    fields = ("kind", "credits", "remaining", "expires_at", "amount", "created_at")
    readonly_fields = fields
    ordering = ("-pk",)
    extra = 0
    max_num = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(CreditAccount)
class CreditAccountAdmin(ReadOnlyAdmin):
    list_display = ("customer", "balance", "held", "available_credits", "adjust_link")
    search_fields = ("customer__legal_name", "customer__tax_id")
    fields = (
        "customer",
        "balance",
        "held",
        "available_credits",
        "tracks_blocks",
        "entry_count",
        "chain_head",
    )
    readonly_fields = fields
    inlines = [CreditBlockInline, LedgerEntryInline]

    def get_queryset(self, request: HttpRequest):
        return credit_account_list()

    @admin.display(description=_("disponible"), ordering="available_credits")
    def available_credits(self, account: CreditAccount):
        return account.available

    @admin.display(description=_("ajustar"))
    def adjust_link(self, account: CreditAccount) -> str:
        url = reverse("admin:credits_creditaccount_adjust", args=[account.pk])
        return format_html('<a href="{}">{}</a>', url, _("Ajustar…"))

    def get_urls(self):
        adjust = path(
            "<path:object_id>/adjust/",
            self.admin_site.admin_view(self.adjust_view),
            name="credits_creditaccount_adjust",
        )
        return [adjust, *super().get_urls()]

    def adjust_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not request.user.has_perm("credits.adjust_credits"):
            raise PermissionDenied
        # Django's lookup of a row: an id that names none (not a number, past the column)
        # is "not found" as on the change view, not a query that fails.
        account = self.get_object(request, unquote(object_id))
        if account is None:
            missing = self._get_obj_does_not_exist_redirect  # type: ignore[attr-defined]
            return cast(HttpResponse, missing(request, self.opts, object_id))
        form = CreditAdjustmentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                entry = credits_adjust(
                    account=account,
                    credits=form.cleaned_data["credits"],
                    reason=form.cleaned_data["reason"],
                    by=cast(User, request.user),  # the admin site lets only staff in
                )
            except CreditdeskError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message())
            else:
                self.message_user(
                    request,
                    _("Ajuste #%(n)s registrado: %(c)s créditos.")
                    % {"n": entry.sequence, "c": entry.credits},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:credits_creditaccount_change", args=[account.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": account,
            "form": form,
            "title": _("Ajustar créditos de %(customer)s") % {"customer": account.customer},
        }
        return TemplateResponse(request, "admin/credits/creditaccount/adjust.html", context)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "account",
        "sequence",
        "kind",
        "credits",
        "balance_after",
        "reference_type",
        "reference_id",
        "created_by",
        "created_at",
    )
    list_filter = ("kind",)
    list_select_related = ("account__customer", "created_by")
    search_fields = ("account__customer__legal_name", "reference_id", "reason")
    date_hierarchy = "created_at"


@admin.register(CreditHold)
class CreditHoldAdmin(ReadOnlyAdmin):
    list_display = ("account", "credits", "status", "reference_type", "reference_id", "created_at")
    list_filter = ("status",)
    list_select_related = ("account__customer",)
    search_fields = ("account__customer__legal_name", "reference_id")


@admin.register(PlanCreditTerms)
class PlanCreditTermsAdmin(admin.ModelAdmin):
    formfield_overrides = PLAIN_NUMBER_FORM_FIELDS
    list_display = ("plan", "purchase_validity_months", "grant_validity_months", "monthly_credits")
    list_select_related = ("plan",)
    autocomplete_fields = ("plan",)


@admin.register(PackCreditTerms)
class PackCreditTermsAdmin(admin.ModelAdmin):
    list_display = ("pack", "validity_months")
    list_select_related = ("pack__plan",)


@admin.register(LowCreditsAlert)
class LowCreditsAlertAdmin(admin.ModelAdmin):
    """Thresholds per contract; the state (armed, crossings) is the alert's own."""

    formfield_overrides = PLAIN_NUMBER_FORM_FIELDS
    list_display = ("contract", "threshold_credits", "threshold_days", "armed", "alerted_at")
    # A contract shows as its customer and plan (`Contract.__str__`).
    list_select_related = ("contract__customer", "contract__plan")
    fields = ("contract", "threshold_credits", "threshold_days", "armed", "crossings", "alerted_at")
    readonly_fields = ("armed", "crossings", "alerted_at")
    autocomplete_fields = ("contract",)
