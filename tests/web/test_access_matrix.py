"""Every page route that shows an object or a document x role x own/other customer.

The API's matrix (tests/api/test_access_matrix.py) for the pages: the routes are found by
walking the URL patterns, so a new page with an object id fails here until the table below
says who may open it. For a role bound to customers (a contact, an account manager) another
customer's object answers exactly like an id that does not exist (404); a role that may not
open the page at all gets the 403 page, signed in as it is.
"""

import re

import pytest
from django.test import Client

from tests.api.conftest import Side
from tests.api.test_access_matrix import role_user
from tests.conftest import world_per_module
from tests.web.routes import page_routes

# One world for all the module's tests, which only send requests (see there).
world = world_per_module


MISSING = "987654"
ROLES = ["contact", "manager", "agent", "finance", "admin"]

# route -> {role: (status for the own customer's object, status for the other's)}
OWN_ONLY = {"contact": (200, 404), "manager": (403, 403), "agent": (403, 403)}
PORTAL = OWN_ONLY | {"finance": (403, 403), "admin": (403, 403)}
WORKSPACE_READ = {
    "contact": (403, 403),
    "manager": (200, 404),
    "agent": (200, 200),
    "finance": (200, 200),
    "admin": (200, 200),
}
MONEY_DOCUMENT = {
    "contact": (200, 404),
    "manager": (200, 404),
    "agent": (404, 404),
    "finance": (200, 200),
    "admin": (200, 200),
}
# Finance's workspace: finance and admins see every customer's documents; nobody else.
FINANCE_ONLY = {
    "contact": (403, 403),
    "manager": (403, 403),
    "agent": (403, 403),
    "finance": (200, 200),
    "admin": (200, 200),
}
MATRIX = {
    "portal/tickets/<ticket:number>/": PORTAL,
    "portal/payments/<int:pk>/": PORTAL,
    "portal/invoices/<int:pk>/pdf/": PORTAL,
    "workspace/tickets/<ticket:number>/": WORKSPACE_READ,
    "workspace/customers/<int:pk>/": WORKSPACE_READ | {"agent": (200, 200)},
    "billing/invoices/<int:pk>/pdf/": MONEY_DOCUMENT,
    "workspace/finance/invoices/<int:pk>/": FINANCE_ONLY,
    "workspace/customers/<int:pk>/edit/": WORKSPACE_READ
    | {"agent": (403, 403), "finance": (403, 403)},
    "workspace/customers/<int:pk>/contacts/new/": WORKSPACE_READ
    | {"agent": (403, 403), "finance": (403, 403)},
}
# Routes with an id that only take POST, by who may do the action (the API's role tables:
# finance reads tickets but does not work them; account managers answer but log no work).
TICKET_STAFF_ACTION = WORKSPACE_READ | {"finance": (403, 403)}
TICKET_WORKER_ACTION = TICKET_STAFF_ACTION | {"manager": (403, 403)}
CUSTOMER_WRITER_ACTION = TICKET_STAFF_ACTION | {"agent": (403, 403)}
POST_ONLY = {
    "portal/tickets/<ticket:number>/reply/": PORTAL,
    "portal/tickets/<ticket:number>/reopen/": PORTAL,
    "portal/tickets/<ticket:number>/follow-up/": PORTAL,
    "workspace/tickets/<ticket:number>/reply/": TICKET_STAFF_ACTION,
    "workspace/tickets/<ticket:number>/status/": TICKET_STAFF_ACTION,
    "workspace/tickets/<ticket:number>/assign/": TICKET_STAFF_ACTION,
    "workspace/tickets/<ticket:number>/service/": TICKET_STAFF_ACTION,
    "workspace/tickets/<ticket:number>/escalate/": TICKET_STAFF_ACTION,
    "workspace/tickets/<ticket:number>/priority/": TICKET_STAFF_ACTION,
    "workspace/tickets/<ticket:number>/work/": TICKET_WORKER_ACTION,
    "workspace/tickets/<ticket:number>/sessions/": TICKET_WORKER_ACTION,
    "workspace/tickets/<ticket:number>/sessions/<int:pk>/no-show/": TICKET_WORKER_ACTION,
    "workspace/tickets/<ticket:number>/incident/": TICKET_STAFF_ACTION,
    "workspace/finance/invoices/<int:pk>/credit-note/": FINANCE_ONLY,
    "workspace/finance/invoices/<int:pk>/refund/": FINANCE_ONLY,
    "workspace/finance/invoices/<int:pk>/record-payment/": FINANCE_ONLY,
    "workspace/finance/payments/<int:pk>/confirm/": FINANCE_ONLY,
    "workspace/finance/payments/<int:pk>/settle/": FINANCE_ONLY,
    # The account manager's workspace (creditdesk.roles: CUSTOMER_WRITERS, CREDIT_GRANTERS
    # and CREDIT_ADJUSTERS, NOTE_WRITERS).
    "workspace/customers/<int:pk>/contract/": CUSTOMER_WRITER_ACTION,
    "workspace/customers/<int:pk>/contract/plan/": CUSTOMER_WRITER_ACTION,
    "workspace/customers/<int:pk>/contract/status/": CUSTOMER_WRITER_ACTION,
    "workspace/customers/<int:pk>/credits/": CUSTOMER_WRITER_ACTION | {"finance": (200, 200)},
    "workspace/customers/<int:pk>/notes/": WORKSPACE_READ,
}
# Not a customer's object: a pack on sale to the plan, a month of the own report, a
# password-reset link, a resolution's signed reopen link (tests/tickets/test_resolution_notice.py),
# a knowledge-base article.
NOT_CUSTOMER_BOUND = {
    "accounts/reset/<uidb64>/<token>/",
    "reopen/<str:token>/",
    "portal/credits/packs/<int:pack_id>/buy/",
    "portal/sla-reports/<month:month>/pdf/",
    "portal/sla-reports/<month:month>/csv/",
    # knowledge-base articles: who reads which is tests/knowledge/test_pages.py's matrix
    "help/<slug:slug>/",
    "help/<slug:slug>/feedback/",
}

# The status page's incidents, updates and maintenance: nobody's customer's; who may open
# which is tests/statuspage/test_pages.py's role matrix.
STATUS_PAGE = {
    "status/incidents/<int:pk>/",
    "workspace/status/incidents/<int:pk>/",
    "workspace/status/incidents/<int:pk>/updates/",
    "workspace/status/updates/<int:pk>/send/",
    "workspace/status/maintenance/<int:pk>/cancel/",
}

# Webhook endpoints and deliveries: their own role x own/other matrix, with endpoints and
# deliveries in place, in tests/webhooks/test_pages.py.
WEBHOOK_ACTIONS = {
    "workspace/webhooks/<int:pk>/edit/",
    "workspace/webhooks/<int:pk>/toggle/",
    "workspace/webhooks/<int:pk>/rotate-secret/",
    "workspace/webhooks/<int:pk>/rotate-secret/confirm/",
    "workspace/webhooks/<int:pk>/delete/",
    "workspace/webhooks/<int:pk>/delete/confirm/",
    "workspace/webhooks/deliveries/<int:pk>/redeliver/",
}


# Message attachments and their previews: their own role x own/other/internal-note matrix,
# with files in place, in tests/web/test_agent_tools.py.
ATTACHMENTS = {"attachments/<int:pk>/", "attachments/<int:pk>/preview/"}

# Subscriptions and reported bank transfers (issue 18): their own role x own/other matrix,
# with reports, proofs and subscriptions in place, in tests/web/test_selfservice_pages.py.
SELF_SERVICE = {
    "portal/subscription/<int:pk>/cancel/",
    "workspace/customers/<int:pk>/subscription/",
    "workspace/customers/<int:pk>/subscription/<int:sub>/cancel/",
    "transfers/<int:pk>/proof/",
    "workspace/finance/transfers/<int:pk>/confirm/",
    "workspace/finance/transfers/<int:pk>/reject/",
}


# An automatic top-up's charge: the customer's contacts only, another's a 404, in
# tests/billing/test_auto_top_up.py (it needs a charge the bank wants authorized).
AUTO_TOP_UP = {"portal/credits/auto-top-up/attempts/<int:pk>/"}


# A customer's contacts (two ids: the customer's and the contact's): their own matrix, with
# another manager's customer a 404, in tests/web/test_customers_workspace.py.
CUSTOMER_CONTACTS = {
    "workspace/customers/<int:pk>/contacts/<int:contact_pk>/",
    "workspace/customers/<int:pk>/contacts/<int:contact_pk>/invite/",
}


# Quote pages: their access by role and customer is tested in tests/quotes/test_pages.py.
QUOTES = {
    "workspace/tickets/<ticket:number>/quotes/new/",
    "workspace/quotes/<int:pk>/",
    "workspace/quotes/<int:pk>/send/",
    "workspace/quotes/<int:pk>/pdf/",
    "portal/quotes/<int:pk>/",
    "portal/quotes/<int:pk>/pdf/",
    "portal/quotes/<int:pk>/accept/",
    "portal/quotes/<int:pk>/reject/",
}

# Activations (seed 004): their role x own/other matrix in tests/activations/test_pages.py.
ACTIVATIONS = {
    "workspace/activations/<int:pk>/",
    "workspace/activations/<int:pk>/steps/<int:step>/meet/",
    "workspace/activations/<int:pk>/complete/",
    "workspace/activations/<int:pk>/cancel/",
    "workspace/activations/products/<int:pk>/",
}


def test_every_page_route_with_an_id_is_in_the_matrix():
    routes = {route for route in page_routes() if "<" in route}
    assert routes == (
        set(MATRIX)
        | set(POST_ONLY)
        | NOT_CUSTOMER_BOUND
        | WEBHOOK_ACTIONS
        | STATUS_PAGE
        | ATTACHMENTS
        | SELF_SERVICE
        | CUSTOMER_CONTACTS
        | QUOTES
        | AUTO_TOP_UP
        | ACTIVATIONS
    )


def _url(route: str, side: Side | None) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if side is None:
            return "T-2026-987654" if name == "number" else MISSING
        if name == "number":
            return side.ticket.number
        if "payments" in route:
            return str(side.payment.pk)
        if "invoices" in route:
            return str(side.invoice.pk)
        if "customers" in route:
            return str(side.customer.pk)
        return str(side.session.pk)

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_pages_answer_by_role_and_customer(world, route, role):
    browser = Client()
    browser.force_login(role_user(world, role))
    own, other = MATRIX[route][role]
    assert browser.get(_url(route, world.a)).status_code == own
    assert browser.get(_url(route, world.b)).status_code == other
    missing = browser.get(_url(route, None)).status_code
    if other == 404:
        assert missing == 404  # another customer's id reads exactly like a missing one


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(POST_ONLY))
def test_post_only_routes_follow_their_page(world, route, role):
    browser = Client()
    browser.force_login(role_user(world, role))
    own, other = POST_ONLY[route][role]
    for side, expected in ((world.a, own), (world.b, other)):
        status = browser.post(_url(route, side), {}).status_code
        if expected == 200:
            assert status in {200, 302}, (side.customer, status)
        else:
            assert status == expected, (side.customer, status)


def test_a_signed_in_contact_gets_the_403_page_not_the_login_form(world):
    browser = Client()
    browser.force_login(world.a.user)
    answer = browser.get("/billing/finance-export/")
    assert answer.status_code == 403
    answer = browser.get("/workspace/")
    assert answer.status_code == 403


# Documents without an object id: the own customer's report, finance's export.
DOCUMENTS = {
    "/portal/sla-reports/2026-11/pdf/": {
        "contact": 200,
        "manager": 403,
        "agent": 403,
        "finance": 403,
        "admin": 403,
    },
    "/billing/finance-export/?date_from=2026-11-01&date_to=2026-11-30": {
        "contact": 403,
        "manager": 403,
        "agent": 403,
        "finance": 200,
        "admin": 200,
    },
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", sorted(DOCUMENTS))
def test_documents_answer_by_role(world, url, role):
    browser = Client()
    browser.force_login(role_user(world, role))
    assert browser.get(url).status_code == DOCUMENTS[url][role]
