"""The site navigation (templates/base.html): only the links its user may follow.

Each page link is offered when the page's own access decorator lets the user in
(`creditdesk.web.access.may_open`), and the administration when Django's admin would show
the user something (`creditdesk.admin_site.AdminSite.shows_something_to`), so the navigation
and the views cannot disagree.
"""

from functools import cache

from django.contrib import admin
from django.http import HttpRequest
from django.urls import get_urlconf, resolve, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from contracts.selectors import customer_uses_credits
from creditdesk.roles import contact_of
from creditdesk.web.access import may_open

PAGES = [
    ("web:dashboard", _("Resumen")),
    ("web:ticket-new", _("Nueva solicitud")),
    ("web:credits", _("Créditos")),
    ("web:invoices", _("Facturas y reportes")),
    ("web:subscription", _("Suscripción")),
    ("web:transfers", _("Transferencias")),
    ("web:kb", _("Ayuda")),
    ("web:queue", _("Cola")),
    ("web:customers", _("Clientes")),
    ("web:webhooks", _("Webhooks")),
    ("web:finance-invoices", _("Facturas")),
    ("web:finance-billing-run", _("Facturación mensual")),
    ("web:finance-ageing", _("Cartera por edades")),
    ("web:finance-transfers", _("Transferencias informadas")),
    ("billing:finance-export", _("Exportación contable")),
    ("web:credit-report", _("Créditos prepagados")),
    ("status:work", _("Estado del servicio")),
    ("activations:work", _("Activaciones")),
    ("activations:portal", _("Activaciones")),
]
# Public pages (anyone may open them) that the navigation offers to customers' contacts.
CONTACT_PUBLIC_PAGES = [("status:page", _("Estado del servicio"))]


def nav_links(request: HttpRequest) -> list[dict]:
    """[{"url", "label"}] the user may open, in navigation order."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    links = []
    for name, label in PAGES:
        if may_open(user, _view_of(name, get_urlconf())) and _useful(user, name):
            links.append({"url": reverse(name), "label": label})
    if contact_of(user) is not None:
        links += [{"url": reverse(name), "label": label} for name, label in CONTACT_PUBLIC_PAGES]
    if admin.site.shows_something_to(request):
        links.append({"url": reverse("admin:index"), "label": _("Administración")})
    return links


@cache
def _view_of(name: str, urlconf: str | None):
    """The view a URL name leads to: fixed for the process's URL configuration, and
    resolving it again for every link on every page cost about 1 ms."""
    return resolve(reverse(name, urlconf=urlconf), urlconf=urlconf).func


def _useful(user, name: str) -> bool:
    """The credits page is for customers whose plan takes credits; with support included
    it stays reachable (old history), but the navigation does not offer it."""
    if name != "web:credits":
        return True
    contact = contact_of(user)
    return contact is None or customer_uses_credits(customer=contact.customer)


def navigation(request: HttpRequest) -> dict:
    """Context processor: `nav_links`, computed only when a template shows it."""
    return {"nav_links": SimpleLazyObject(lambda: nav_links(request))}
