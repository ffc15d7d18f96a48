"""Who may open which page: customers' contacts get the portal, staff the workspace.

Roles are `creditdesk.roles`: one definition for the API, the pages and the downloads.
The portal decorators also switch the request to the customer's time zone, so every time
on a portal page is shown in it.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from creditdesk.roles import STAFF, Role, contact_of, has_role

View = Callable[..., HttpResponse]


def portal_view(view: View) -> View:
    """A page of the customer portal: the user is a contact; `request.contact` and
    `request.customer` are set and times render in the customer's zone."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        contact = contact_of(request.user)
        if contact is None:
            raise PermissionDenied
        request.contact = contact
        request.customer = contact.customer
        timezone.activate(contact.customer.time_zone_info)
        try:
            return view(request, *args, **kwargs)
        finally:
            timezone.deactivate()

    wrapper.allowed_roles = frozenset({Role.CONTACT})  # roles_of() has CONTACT iff contact_of()
    return wrapper


def roles_view(roles: frozenset[Role]) -> Callable[[View], View]:
    """A workspace page or action only these roles may use (the API's tables)."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not has_role(request.user, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = roles
        return wrapper

    return decorator


# A page of the staff workspace (admins, agents, finance, account managers).
staff_view = roles_view(STAFF)


def may_open(user, view: View) -> bool:
    """Whether the view's own decorator (`portal_view`, `roles_view`) lets the user in; a view
    without one is not offered."""
    roles = getattr(view, "allowed_roles", None)
    return roles is not None and has_role(user, roles)
