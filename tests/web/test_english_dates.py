"""English pages write times as Spanish pages and our long forms do: day first and on a
24-hour clock ("3 Nov 2026, 12:00", creditdesk/formats/en), where Django's English wrote
"11/03/2026 noon" next to "Tuesday 3 November, 12:00", and a reader who writes 03/11/2026
could not tell the 3rd of November from the 11th of March."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from tests.web.test_ticket_clocks import OPENED, caracas_on_24x7, explanations
from tickets.services.lifecycle import ticket_agent_reply

US_DAY = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")
TWELVE_HOUR = re.compile(r"\b[ap]\.m\.|\bnoon\b|\bmidnight\b")


@pytest.fixture
def replied_at_noon(db):
    """A request opened at 03:00 in Caracas (Tuesday 3 November 2026), answered at 12:00
    and at 15:00 there: Django's English wrote "11/03/2026 noon" and "11/03/2026 3 p.m."."""
    world = caracas_on_24x7()
    for hours in (9, 12):
        with time_machine.travel(OPENED + timedelta(hours=hours), tick=False):
            ticket_agent_reply(world.ticket, by=world.agent, body="Revisamos el buzón.")
    return world


def _page(user, url: str, language: str) -> str:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    client.cookies["django_language"] = language
    with time_machine.travel(OPENED + timedelta(hours=13), tick=False):
        response = client.get(url)
    assert response.status_code == 200
    return response.text


def _pages(world, language: str) -> dict[str, str]:
    admin = make_user(username="raiz", is_staff=True, is_superuser=True)
    return {
        "portal": _page(world.user, reverse("web:ticket", args=[world.ticket.number]), language),
        "workspace": _page(world.agent, reverse("web:work", args=[world.ticket.number]), language),
        "admin": _page(admin, f"/admin/tickets/ticket/{world.ticket.pk}/change/", language),
    }


def test_an_english_page_writes_the_day_first_on_a_24_hour_clock(replied_at_noon):
    pages = _pages(replied_at_noon, "en")

    for name in ("portal", "workspace"):
        resolution = explanations(pages[name])[1]
        assert "Start 3 Nov 2026, 03:00, target 24 h 00 min of working time" in resolution
        assert resolution[-1] == "Due 4 Nov 2026, 03:00"
    assert "To the customer · 3 Nov 2026, 12:00" in pages["workspace"]  # noon in Caracas
    assert "To the customer · 3 Nov 2026, 15:00" in pages["workspace"]
    assert "3 November 2026, 16:00" in pages["admin"]  # the admin's DATETIME_FORMAT, in UTC
    for name, page in pages.items():
        assert not TWELVE_HOUR.findall(page), name
        assert not US_DAY.findall(page), name


def test_a_spanish_page_writes_its_dates_as_before(replied_at_noon):
    pages = _pages(replied_at_noon, "es")

    resolution = explanations(pages["workspace"])[1]
    assert "Inicio 03/11/2026 03:00, objetivo 24 h 00 min hábiles" in resolution
    assert resolution[-1] == "Vence 04/11/2026 03:00"
    assert "Al cliente · 03/11/2026 12:00" in pages["workspace"]
    assert "Al cliente · 03/11/2026 15:00" in pages["workspace"]
    assert "3 de noviembre de 2026 a las 16:00" in pages["admin"]
