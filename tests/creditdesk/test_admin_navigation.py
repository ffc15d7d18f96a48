"""The navigation's link to the administration: offered exactly when Django's admin would list
something for the user (`AdminSite.shows_something_to` against the admin's own app list)."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory

from creditdesk.web.navigation import nav_links
from tests.factories import (
    make_account_manager,
    make_agent,
    make_finance_user,
    make_portal_user,
    make_staff_user,
    make_user,
)

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_the_admin_link_follows_the_admins_own_app_list():
    one_permission = make_user(is_staff=True, username="one-permission")
    one_permission.user_permissions.add(Permission.objects.get(codename="view_ticket"))
    users = [
        make_staff_user(),
        make_agent(),
        make_finance_user(),
        make_account_manager(),
        one_permission,
        make_user(username="not-staff"),
        make_portal_user(),
    ]

    decisions = {}
    for user in users:
        request = _request(user)
        shown = admin.site.shows_something_to(request)
        listed = admin.site.has_permission(request) and admin.site.get_app_list(request)
        assert shown == bool(listed)
        linked = any(link["url"] == "/admin/" for link in nav_links(request))
        assert linked == shown, user.username
        decisions[user.username] = shown

    # both answers occur, so the comparison above compared something
    assert decisions["one-permission"] is True
    assert decisions["not-staff"] is False
