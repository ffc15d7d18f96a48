from pathlib import Path

import pytest

from tickets.mail import MalformedMail, html_to_text, parse_message

MAIL = Path(__file__).parent / "mail"


def parse(name: str):
    return parse_message((MAIL / name).read_bytes())


def test_plain_utf8_message():
    mail = parse("plain_utf8.eml")

    assert mail.from_address == "ana@andino.example"
    assert mail.from_name == "Ana Gómez"
    assert mail.subject == "El servidor web no responde"
    assert mail.message_id == "<plain-1@andino.example>"
    assert "error 502" in mail.text
    assert "¿Pueden revisarlo?" in mail.text
    assert mail.ticket_number is None


def test_multipart_prefers_plain_text_and_keeps_the_attachment():
    mail = parse("multipart_with_attachment.eml")

    assert mail.from_address == "ana@andino.example"  # lower-cased for lookup
    assert mail.text == "Nuestra IP 190.24.10.5 quedó bloqueada. Adjunto el registro."
    [attachment] = mail.attachments
    assert attachment.filename == "firewall.log"
    assert attachment.content == b"DROP IN 190.24.10.5 tcp/443\n"


def test_html_only_message_becomes_text_without_scripts_or_styles():
    mail = parse("html_only.eml")

    assert mail.text == (
        "Hola,\nNecesito restablecer la contraseña del correo de juan@andino.example."
    )


def test_latin1_body_and_encoded_headers_are_decoded():
    mail = parse("latin1_encoded_headers.eml")

    assert mail.from_name == "José Pérez"
    assert mail.subject == "Configuración del DNS"
    assert mail.text == "El registro MX no está funcionando desde mañana."


def test_an_unknown_charset_keeps_the_readable_text():
    assert parse("unknown_charset.eml").text == "La base de datos esta lenta."


def test_a_reply_carries_the_ticket_number_in_its_subject():
    assert parse("reply_with_ticket_number.eml").ticket_number == "T-2026-000001"


@pytest.mark.parametrize("name", ["no_from.eml", "garbage_mime.eml"])
def test_messages_without_a_usable_sender_are_malformed(name):
    with pytest.raises(MalformedMail):
        parse(name)


def test_a_broken_multipart_still_yields_sender_and_subject():
    mail = parse("broken_multipart.eml")

    assert (mail.from_address, mail.subject) == ("ana@andino.example", "Parte rota")


def test_html_to_text_keeps_paragraphs_apart():
    assert html_to_text("<p>uno</p><p>dos <i>tres</i></p>") == "uno\ndos tres"
