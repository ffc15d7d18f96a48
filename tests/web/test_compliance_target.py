"""The plan's SLA compliance target (issue 19) is what the portal's compliance chart marks and
what the workspace's customer page and list compare against: no constant 90 %."""

from decimal import Decimal

import pytest
from django.test import Client

from contracts.models import Channel
from creditdesk.web.customers import MonthCompliance
from tests.web.conftest import top_up
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_agent_reply


def test_the_plans_target_is_shown_in_the_portal_chart_and_the_workspace(shop):
    plan = shop.contract.plan
    plan.sla_compliance_target = Decimal("85")
    plan.save(update_fields=["sla_compliance_target"])
    top_up(shop.customer, "6")
    ticket = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Correo").ticket
    ticket_agent_reply(ticket, by=shop.agent, body="Revisando.")

    portal = Client()
    portal.force_login(shop.user)
    page = portal.get("/portal/").content.decode()
    chart = page[page.index('data-testid="compliance-chart-reference"') :]
    assert "Objetivo: 85 %" in chart[: chart.index("</g>")]
    assert "90 %</text>" not in chart[: chart.index("</g>")]

    workspace = Client()
    workspace.force_login(shop.manager)
    page = workspace.get(f"/workspace/customers/{shop.customer.pk}/").content.decode()
    assert "Objetivo del plan: 85 %." in page
    listing = workspace.get("/workspace/customers/").content.decode()
    assert 'title="Objetivo del plan: 85 %"' in listing


@pytest.mark.parametrize(
    ("met", "target", "tone"),
    [
        (85, "85", "ok"),
        (84, "85", "warning"),
        (75, "85", "warning"),  # ten points below still warns
        (74, "85", "breach"),
        (99, "99.5", "warning"),
        (89, "99.5", "breach"),
        (90, None, "ok"),  # no live plan: the plans' default target, 90 %
        (79, None, "breach"),
    ],
)
def test_the_lists_badge_reads_the_month_against_the_plans_target(met, target, tone):
    month = MonthCompliance(met=met, decided=100)
    if target is not None:
        month = MonthCompliance(met=met, decided=100, target=Decimal(target))

    assert month.tone == tone
