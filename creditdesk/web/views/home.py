from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from creditdesk.api.access import contact_of
from creditdesk.web.access import is_staff_user


def home(request: HttpRequest) -> HttpResponse:
    """`/`: staff to the workspace, customers' contacts to the portal."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if is_staff_user(request.user):
        return redirect("web:queue")
    if contact_of(request.user) is not None:
        return redirect("web:dashboard")
    raise PermissionDenied
