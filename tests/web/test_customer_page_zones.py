"""Every time on the workspace's customer page names its zone, as the rest of the site does
(`zones.moment`): a refused request's and a billing mail's read "03/12/2026 10:00" with no
zone, on a page whose other times said "(hora de Bogotá)"."""

import re

import pytest
import time_machine
from django.test import Client

from contracts.models import Channel
from tests.factories import make_invoice
from tests.web.conftest import shop  # noqa: F401  (fixture)
from tickets.models import IntakeAttempt
from tickets.services.intake import ticket_open

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("language", "refused", "mailed"),
    [
        ("es", "jueves 3 de diciembre de 2026, 10:00 (hora de Bogotá)", "11:30 (hora de Bogotá)"),
        ("en", "Thursday 3 December 2026, 10:00 (Bogota time)", "11:30 (Bogota time)"),
    ],
)
def test_the_customer_page_names_the_zone_of_every_time(shop, language, refused, mailed):  # noqa: F811
    with time_machine.travel("2026-12-03T15:00:00Z", tick=False) as clock:
        ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Sin créditos")
        clock.move_to("2026-12-03T16:30:00Z")
        make_invoice(shop.customer, issue=True)  # its mail is sent on commit
    assert IntakeAttempt.objects.filter(customer=shop.customer).exists()

    with time_machine.travel("2027-01-10T15:00:00Z", tick=False):
        client = Client()
        client.force_login(shop.manager)
        answer = client.get(
            f"/workspace/customers/{shop.customer.pk}/", HTTP_ACCEPT_LANGUAGE=language
        )
    assert answer.status_code == 200
    page = answer.text

    assert refused in page
    assert page.count(mailed) >= 1
    # no time of day left without its zone (an offset, "UTC-05:00", is not one)
    assert not re.findall(r"(?<![\d+-])\d{1,2}:\d{2}(?! \()", page)
