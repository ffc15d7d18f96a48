"""Every page, as each role that may open it sees it, gives each element an id of its own: a
page with several forms asking for the same field (a "reason", "minutes") gave their inputs
the same id, so a label named another form's input and a click on it filled that one (the
ticket page's priority reason went into the status form). Pages are found by walking the URL
patterns (`tests.web.routes`), with the access matrix's objects for those with an id."""

import collections
import re

import pytest
from django.test import Client

from tests.api.test_access_matrix import role_user
from tests.conftest import world_per_module
from tests.web.routes import page_routes
from tests.web.test_access_matrix import MATRIX, ROLES, _url

world = world_per_module

ID = re.compile(r'\sid="([^"]+)"')
WITHOUT_ID = sorted(route for route in page_routes() if "<" not in route)


def _duplicated_ids(answer) -> list[str]:
    if answer.status_code != 200 or "text/html" not in answer.get("Content-Type", ""):
        return []
    counts = collections.Counter(ID.findall(answer.content.decode()))
    return sorted(name for name, count in counts.items() if count > 1)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_gives_each_element_its_own_id(world, role):
    browser = Client()
    browser.force_login(role_user(world, role))
    pages = ["/" + route for route in WITHOUT_ID] + [
        _url(route, world.a) for route in sorted(MATRIX) if MATRIX[route][role][0] == 200
    ]
    duplicated = {page: _duplicated_ids(browser.get(page)) for page in pages}
    assert {page: ids for page, ids in duplicated.items() if ids} == {}
