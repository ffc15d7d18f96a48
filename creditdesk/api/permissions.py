"""The API's per-action role check, on the one role table in `creditdesk.roles`."""

from rest_framework.permissions import BasePermission

from creditdesk.roles import has_role


class RolePermission(BasePermission):
    """Allows an action only to the roles the view's `roles` table names for it.

    `roles` maps an action name (list, retrieve, create, an @action's name) to a set of roles;
    an action missing from the table is refused, so a new action is closed until listed.
    """

    def has_permission(self, request, view) -> bool:
        action = getattr(view, "action", None)
        if action is None:
            return True  # a method the view does not route: DRF answers 405
        return has_role(request.user, getattr(view, "roles", {}).get(action, frozenset()))
