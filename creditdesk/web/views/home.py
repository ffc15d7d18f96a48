from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from creditdesk.roles import STAFF, Role, contact_of, has_role


def home(request: HttpRequest) -> HttpResponse:
    """`/`: finance to its invoices, other staff to the workspace's queue, customers'
    contacts to the portal."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if has_role(request.user, {Role.FINANCE}) and not has_role(request.user, {Role.AGENT}):
        return redirect("web:finance-invoices")
    if has_role(request.user, STAFF):
        return redirect("web:queue")
    if contact_of(request.user) is not None:
        return redirect("web:dashboard")
    raise PermissionDenied
