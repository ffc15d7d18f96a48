"""Finance's workspace page on prepaid credits: sold, used, expired (breakage) and
outstanding (deferred revenue), valued at what customers paid, per currency and month
(`credits.breakage.credit_breakage`, the same figures as the finance export's `breakage`
records)."""

from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from billing.services.run import Period
from contracts.models import CURRENCY_CHOICES
from creditdesk.roles import FINANCE_ROLES
from creditdesk.web.access import roles_view
from credits.breakage import credit_breakage

FIGURE_LABELS = {
    "opening": _("Pendientes al comenzar el mes"),
    "sold": _("Vendidos"),
    "granted": _("Sin cargo (cortesías, incluidos en el plan)"),
    "used": _("Usados"),
    "expired": _("Vencidos sin usar"),
    "refunded": _("Devueltos por reembolso"),
    "adjusted": _("Ajustes"),
    "outstanding": _("Pendientes al cerrar el mes (ingreso diferido)"),
}


class CreditReportForm(forms.Form):
    month = forms.RegexField(
        label=_("Mes"), regex=r"^[0-9]{4}-(0[1-9]|1[0-2])$", help_text=_("AAAA-MM")
    )
    currency = forms.ChoiceField(
        label=_("Moneda"), choices=[("", _("Todas")), *CURRENCY_CHOICES], required=False
    )


def _last_month(today: date) -> str:
    return f"{today.replace(day=1) - timedelta(days=1):%Y-%m}"


@roles_view(FINANCE_ROLES)
def credit_report(request: HttpRequest) -> HttpResponse:
    """A month (the last one unless asked) of credits per currency, as the export has them."""
    data = request.GET.copy() if request.GET else {}
    data.setdefault("month", _last_month(timezone.now().date()))
    form = CreditReportForm(data)
    context: dict = {"form": form}
    if not form.is_valid():
        return render(request, "workspace/credit_report.html", context, status=400)
    period = Period.parse(form.cleaned_data["month"])
    currency = form.cleaned_data["currency"] or None
    start = datetime.combine(period.start, time(0), tzinfo=UTC)
    end = datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=UTC)
    rows = credit_breakage(start=start, end=end, currency=currency)
    export = {"date_from": period.start.isoformat(), "date_to": period.end.isoformat()}
    if currency:
        export["currency"] = currency
    context |= {
        "period": period,
        "tables": [
            {
                "row": row,
                "lines": [
                    (FIGURE_LABELS[name], credits, value) for name, credits, value in row.figures()
                ],
            }
            for row in rows
        ],
        "export_query": urlencode(export),
    }
    return render(request, "workspace/credit_report.html", context)
