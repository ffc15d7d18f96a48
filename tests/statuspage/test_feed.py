"""The Atom feed, read back as XML: one entry per incident update, newest first, with its
link to the incident's page, in the reader's language, the staff's text escaped."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from statuspage import services
from statuspage.models import Impact, Incident, IncidentUpdate, State

pytestmark = pytest.mark.django_db
ATOM = {"a": "http://www.w3.org/2005/Atom"}
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture
def incident(catalogue):
    with time_machine.travel(NOW, tick=False):
        incident = services.incident_open(
            title="Correo caído",
            title_en="Email down",
            body="Investigamos <fallas> de envío.\nSeguimos.",
            body_en="We are looking into failed sends.",
            impact=Impact.MAJOR,
            components=[catalogue.mail_component],
        )
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        services.incident_update_post(incident, state=State.RESOLVED, body="Resuelto.")
    return incident


def _feed(language: str = "es") -> ET.Element:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    answer = client.get("/status/feed.atom")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(answer.content)  # noqa: S314  (our own answer)


def test_the_feed_has_an_entry_per_update_newest_first(incident):
    feed = _feed()

    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    assert feed.findtext("a:title", namespaces=ATOM) == "Estado del servicio · Creditdesk"
    assert feed.find("a:link[@rel='alternate']", ATOM).get("href") == "http://testserver/status/"
    assert feed.findtext("a:updated", namespaces=ATOM).startswith("2026-03-10T15:30:00")
    entries = feed.findall("a:entry", ATOM)
    assert [e.findtext("a:title", namespaces=ATOM) for e in entries] == [
        "Correo caído: Resuelto",
        "Correo caído: Investigando",
    ]
    newest, first = entries
    assert newest.findtext("a:updated", namespaces=ATOM).startswith("2026-03-10T15:30:00")
    link = first.find("a:link", ATOM).get("href")
    assert link.startswith(f"http://testserver/status/incidents/{incident.pk}/#update-")
    assert first.findtext("a:id", namespaces=ATOM).startswith("creditdesk:incident-update:")
    summary = first.find("a:summary", ATOM)
    assert summary.get("type") == "html"
    assert "Investigamos &lt;fallas&gt; de envío.<br>Seguimos." in summary.text
    assert "Interrupción total" in summary.text


def test_the_feed_speaks_english_to_an_english_reader(incident):
    feed = _feed("en")

    titles = [e.findtext("a:title", namespaces=ATOM) for e in feed.findall("a:entry", ATOM)]
    assert titles[-1].startswith("Email down: ")
    summary = feed.findall("a:entry", ATOM)[-1].findtext("a:summary", namespaces=ATOM)
    assert "We are looking into failed sends." in summary
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_an_empty_feed_is_still_valid_atom(catalogue):
    feed = _feed()

    assert feed.findall("a:entry", ATOM) == []
    assert feed.findtext("a:id", namespaces=ATOM)


def test_a_control_character_written_before_it_was_refused_does_not_break_the_feed(incident):
    # XML cannot carry one: the feed leaves it out rather than fail for every reader
    IncidentUpdate.objects.filter(incident=incident).update(body="Caída\x0bparcial\x01.")
    Incident.objects.filter(pk=incident.pk).update(title="Correo\x0c caído")

    entries = _feed().findall("a:entry", ATOM)

    assert entries[0].findtext("a:title", namespaces=ATOM) == "Correo caído: Resuelto"
    assert "Caídaparcial." in entries[0].findtext("a:summary", namespaces=ATOM)
