"""Inbound mail is believed only when the sender's domain vouched for it: with
MAIL_AUTHSERV_ID set, the operator's mail servers' Authentication-Results (RFC 8601) must
show DMARC, or DKIM or SPF aligned with the From domain, passing. Anyone can write any
From, and a request by mail spends the customer's credits."""

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from creditdesk.mail_servers import authserv_ids
from credits.models import CreditHold
from sla.models import SlaClock
from tests.tickets.test_mail_intake import eml, reply_to
from tickets.mail import parse_message, sender_authenticated
from tickets.models import IntakeAttempt, Ticket
from tickets.services import lifecycle
from tickets.services.mail_intake import mail_ingest

OURS = "mx.soporte.example"


def signed(raw: bytes, *results: str) -> bytes:
    """`raw` as our mail server hands it over, with its Authentication-Results on top."""
    return b"".join(f"Authentication-Results: {r}\r\n".encode() for r in results) + raw


def authenticated(*results: str) -> bool:
    return sender_authenticated(parse_message(signed(eml("plain_utf8.eml"), *results)), [OURS])


@pytest.mark.parametrize(
    "result",
    [
        f"{OURS}; dmarc=pass (p=reject) header.from=andino.example",
        f"{OURS}; spf=fail smtp.mailfrom=andino.example; dkim=pass header.d=andino.example",
        f"{OURS}; dkim=pass (2048-bit key; unprotected) header.d=mail.andino.example",
        f"{OURS}; dkim=pass header.i=@andino.example",
        f"{OURS}; spf=pass smtp.mailfrom=rebotes@andino.example",
        f"{OURS} 1; DKIM=Pass header.d=Andino.Example",  # a version; any case
        f"{OURS}; dkim/1 = pass header.d = andino.example",  # spaces, a method's version
        f'{OURS};\r\n\tdkim=pass\r\n\theader.d="andino.example"',  # folded, quoted
    ],
)
def test_a_pass_for_the_from_domain_by_our_server_authenticates(result):
    assert authenticated(result)


@pytest.mark.parametrize(
    "results",
    [
        (),
        (f"{OURS}; spf=softfail smtp.mailfrom=andino.example; dkim=none; dmarc=fail",),
        # a bulk mailer's own domain passes, not the customer's
        (f"{OURS}; dkim=pass header.d=envios.example; spf=pass smtp.mailfrom=envios.example",),
        (f"{OURS}; dmarc=pass header.from=otro.example",),
        (f"{OURS}; dmarc=pass",),  # about which From, of several a message may carry?
        (f"{OURS}; spf=pass smtp.helo=andino.example",),  # HELO proves no sender
        # written by the sender, or by a server on the way: not ours
        ("mx.intruso.example; dmarc=pass header.from=andino.example",),
        (f"{OURS}.intruso.example; dkim=pass header.d=andino.example",),
        (f"mx.intruso.example; dkim=pass (said {OURS}) header.d=andino.example",),
        # the sender's own envelope address, quoted by our server as RFC 8601 says, carries
        # what would read as a result of its own outside the quotes
        (
            f'{OURS}; spf=pass smtp.mailfrom="x; dkim=pass header.d=andino.example y"'
            "@intruso.example",
        ),
        (f'{OURS}; spf=pass smtp.mailfrom="x\\" dkim=pass header.d=andino.example"@i.example',),
        (f"{OURS}; dkim=fail (a comment; dkim=pass header.d=andino.example) header.d=x.example",),
        # encoded-words are text to the parser, not to RFC 8601: left as they came
        (f"{OURS}; spf=none smtp.helo==?utf-8?q?x=3B_dkim=3Dpass_header=2Ed=3Dandino=2Eexample?=",),
        (
            f'{OURS}; spf=pass smtp.mailfrom="a =?utf-8?q?=22=3B_dkim=3Dpass_header=2Ed=3D'
            'andino=2Eexample?= b"@intruso.example',
        ),
        # ours is the topmost: one of our id below it came with the message
        (
            f"{OURS}; dmarc=fail header.from=andino.example",
            f"{OURS}; dkim=pass header.d=andino.example",
        ),
    ],
)
def test_nothing_else_authenticates(results):
    assert not authenticated(*results)


def test_only_our_servers_results_count_among_several(settings):
    assert authenticated(
        "mx.intruso.example; dmarc=fail header.from=andino.example",
        f"{OURS}; dmarc=pass header.from=andino.example",
    )
    assert not authenticated(
        "mx.intruso.example; dmarc=pass header.from=andino.example",
        f"{OURS}; dmarc=fail header.from=andino.example",
    )


def test_an_installation_with_several_receiving_servers_reads_the_last_one_of_its_own():
    backup = "MX2.Soporte.Example"  # a second MX host; ids compare in any case

    def received(*results: str) -> bool:
        mail = parse_message(signed(eml("plain_utf8.eml"), *results))
        return sender_authenticated(mail, [OURS, backup])

    # whichever of our servers took the mail vouches for it
    assert received(f"{OURS}; dkim=pass header.d=andino.example")
    assert received("mx2.soporte.example; dmarc=pass header.from=andino.example")
    # our backup relayed to our primary: the primary's, on top, is what counts
    assert not received(
        f"{OURS}; dkim=fail header.d=andino.example",
        "mx2.soporte.example; dkim=pass header.d=andino.example",
    )
    # a name like our servers' is not one of them
    assert not received("mx3.soporte.example; dkim=pass header.d=andino.example")


def test_one_id_is_not_taken_for_a_list_of_its_letters():
    # "m" would pass for a server of ours
    mail = parse_message(signed(eml("plain_utf8.eml"), "m; dmarc=pass header.from=andino.example"))
    with pytest.raises(TypeError):
        sender_authenticated(mail, "mx.google.com")


def test_the_setting_lists_ids_separated_by_commas_and_refuses_other_writings():
    assert authserv_ids("MX1.Soporte.Example, mx2.soporte.example,") == (
        "mx1.soporte.example",
        "mx2.soporte.example",
    )
    assert authserv_ids("") == ()
    # commas and nothing between them would turn the check off without a word
    for written in (",", " , ", ",,"):
        with pytest.raises(ImproperlyConfigured, match="names no server"):
            authserv_ids(written)
    # read as one id no server writes, these would set every mail aside: refused at start-up
    for written in ("mx1.example mx2.example", "mx1.example;mx2.example", '"mx1.example"'):
        with pytest.raises(ImproperlyConfigured, match="separate several with commas"):
            authserv_ids(written)


def test_a_domain_in_its_own_letters_aligns_with_its_dns_form():
    raw = signed(
        eml("plain_utf8.eml").replace(b"ana@andino.example", "ana@mañana.example".encode()),
        f"{OURS}; dkim=pass header.d={'mañana.example'.encode('idna').decode()}",
    )
    assert sender_authenticated(parse_message(raw), [OURS])


@pytest.fixture
def checking(settings):
    settings.MAIL_AUTHSERV_IDS = [OURS]


@pytest.mark.django_db
def test_authenticated_mail_from_a_contact_opens_a_request(checking, funded, tuesday_morning):
    raw = signed(eml("plain_utf8.eml"), f"{OURS}; dkim=pass header.d=andino.example")

    outcome = mail_ingest(raw)

    assert outcome.action == "opened"
    assert Ticket.objects.get().subject == "El servidor web no responde"


@pytest.mark.django_db
def test_a_forged_request_spends_nothing_and_the_contact_hears_of_it(
    checking, funded, tuesday_morning, django_capture_on_commit_callbacks
):
    forged = signed(eml("plain_utf8.eml"), f"{OURS}; spf=fail; dkim=none; dmarc=fail")

    with django_capture_on_commit_callbacks(execute=True):
        outcome = mail_ingest(forged)

    assert (outcome.action, outcome.detail) == ("refused", "unauthenticated_sender")
    assert not Ticket.objects.exists()
    assert not CreditHold.objects.exists()
    attempt = IntakeAttempt.objects.get()
    assert (attempt.customer, attempt.contact, attempt.reason) == (
        funded.customer,
        funded,
        "unauthenticated_sender",
    )
    assert attempt.subject == "El servidor web no responde"
    assert attempt.message_en.startswith(
        "We could not verify that the domain of ana@andino.example sent this message"
    )
    [refusal] = mail.outbox
    assert refusal.to == ["ana@andino.example"]
    assert "No pudimos comprobar que el dominio de ana@andino.example" in refusal.body
    # a second delivery of the same message is the same message
    assert mail_ingest(forged).action == "duplicate"


@pytest.mark.django_db
def test_a_forged_reply_neither_joins_the_request_nor_resumes_its_clocks(
    checking, funded, agent, tuesday_morning
):
    ticket = mail_ingest(
        signed(eml("plain_utf8.eml"), f"{OURS}; dmarc=pass header.from=andino.example")
    ).ticket
    lifecycle.ticket_agent_reply(ticket, by=agent, body="¿Desde cuándo?", asks_for_information=True)
    messages = ticket.messages.count()

    outcome = mail_ingest(signed(reply_to(ticket), f"{OURS}; spf=fail; dmarc=fail"))

    ticket.refresh_from_db()
    assert outcome.action == "refused"
    assert ticket.messages.count() == messages
    assert ticket.status == Ticket.Status.WAITING_ON_CUSTOMER
    assert SlaClock.objects.get(subject=ticket.clock_subject, kind="resolution").state == "paused"


@pytest.mark.django_db
def test_forged_mail_from_a_stranger_is_kept_but_never_answered(
    checking, contract, tuesday_morning, django_capture_on_commit_callbacks
):
    # the address it names would get the answer: most likely not who wrote it
    with django_capture_on_commit_callbacks(execute=True):
        outcome = mail_ingest(signed(eml("unknown_sender.eml"), f"{OURS}; dmarc=fail"))

    assert outcome.action == "refused"
    attempt = IntakeAttempt.objects.get()
    assert (attempt.reason, attempt.requester_address, attempt.customer) == (
        "unauthenticated_sender",
        "intruso@otro.example",
        None,
    )
    assert mail.outbox == []


@pytest.mark.django_db
def test_forged_mail_is_answered_once_a_day_without_the_forgers_subject(
    checking, funded, tuesday_morning, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            forged = eml("plain_utf8.eml").replace(
                b"Subject: El servidor web no responde", f"Subject: Oferta {n}".encode()
            )
            forged = forged.replace(b"<plain-1@", f"<forged-{n}@".encode())
            assert mail_ingest(signed(forged, f"{OURS}; dmarc=fail")).action == "refused"

    [refusal] = mail.outbox
    assert "Oferta" not in refusal.body
    assert "Recibimos un mensaje enviado con su dirección" in refusal.body
    assert IntakeAttempt.objects.count() == 3  # each kept for the staff


@pytest.mark.django_db
def test_mail_without_results_of_our_server_is_set_aside_until_the_setting_is_right(
    settings, funded, tuesday_morning, django_capture_on_commit_callbacks
):
    # a typo, or a new mail server: nothing the sender did
    settings.MAIL_AUTHSERV_IDS = ["mx.otro-servidor.example"]
    raw = signed(eml("plain_utf8.eml"), f"{OURS}; dmarc=pass header.from=andino.example")
    with django_capture_on_commit_callbacks(execute=True):
        assert mail_ingest(raw).action == "failed"
    assert not IntakeAttempt.objects.exists()
    assert mail.outbox == []

    settings.MAIL_AUTHSERV_IDS = [OURS]
    assert mail_ingest(raw).action == "opened"
