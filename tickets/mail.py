"""Reading inbound support mail with the standard library's `email` package.

`parse_message` turns raw RFC 5322 bytes into a `ParsedMail`: the sender, the subject
(with any ticket number it carries), a plain-text body (HTML-only mail is turned into
text), the attachments, and whether a machine sent it (RFC 3834). It raises
`MalformedMail` for what cannot be a request (no sender, unreadable structure), so a batch
can log and skip one message and go on. Headers are read as one line of text, without
control characters; a header the standard library cannot read counts as absent.
`sender_authenticated` tells whether the sender's domain vouched for the message.
`stated_priority` reads the impact and the suggested priority a request states in its text.
"""

import email
import email.policy
import hashlib
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from html.parser import HTMLParser

from core.storage import stored_filename
from core.text import one_line
from sla.choices import Impact, Priority

TICKET_NUMBER = re.compile(r"\bT-\d{4}-\d{6}\b")
# A header's text is one line: an encoded word may carry CR and LF, and a subject becomes
# the subject line of every mail about its ticket, where a line break is refused.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
# Longer Message-IDs are not stored (the column's size); such a message counts as having
# none, and a second delivery is known by its bytes.
MESSAGE_ID_LIMIT = 255


class MalformedMail(ValueError):
    pass


def attachment_filename(name: str | None) -> str:
    """`core.storage.stored_filename`, "adjunto" when nothing is left."""
    return stored_filename(name, fallback="adjunto")


def mail_fingerprint(raw: bytes, message_id: str) -> str:
    """What makes a delivery the same message: its Message-ID, or, without one, its bytes."""
    if message_id:
        return "id:" + hashlib.sha256(message_id.encode()).hexdigest()
    return "raw:" + hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class ParsedMail:
    from_address: str
    from_name: str
    subject: str
    message_id: str
    text: str
    attachments: list[ParsedAttachment] = field(default_factory=list)
    # Where it was sent (Delivered-To, To, Cc): a mailbox may stand for a service type.
    recipients: list[str] = field(default_factory=list)
    # Sent by a machine (RFC 3834's Auto-Submitted, a bulk Precedence): never answered with a
    # refusal, or two robots would answer each other forever.
    automated: bool = False
    # An out-of-office answer or a bounce: a machine's, not the sender's own message.
    auto_reply: bool = False
    # The Authentication-Results headers (RFC 8601) as received: `sender_authenticated`
    # reads those the operator's own mail server wrote.
    authentication_results: tuple[str, ...] = ()

    @property
    def ticket_number(self) -> str | None:
        match = TICKET_NUMBER.search(self.subject)
        return match.group(0) if match else None


class _TextExtractor(HTMLParser):
    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})
    SKIPPED = frozenset({"script", "style", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = (" ".join(line.split()) for line in "".join(extractor.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _decoded_text(part: EmailMessage) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        # An unknown or lying charset: keep what can be read rather than lose the message.
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def _sender(message: EmailMessage) -> Address:
    try:
        header = message["From"]
        addresses = header.addresses if header is not None else ()
    except (IndexError, ValueError, TypeError) as error:
        raise MalformedMail(f"unreadable From header: {error}") from error
    for address in addresses:
        if address.addr_spec and "@" in address.addr_spec:
            return address
    raise MalformedMail("no sender address (From)")


def _recipients(message: EmailMessage) -> list[str]:
    found: list[str] = []
    for name in ("Delivered-To", "To", "Cc"):
        try:
            headers = message.get_all(name) or []
            for header in headers:
                for address in getattr(header, "addresses", ()):
                    if address.addr_spec and address.addr_spec.lower() not in found:
                        found.append(address.addr_spec.lower())
        except (IndexError, ValueError, TypeError):
            continue  # an unreadable recipient header only costs the mailbox's default
    return found


def _header_text(value: object) -> str:
    """One line of text. Raw 8-bit UTF-8 in a header (common, though not RFC 5322) arrives
    surrogate-escaped; control characters become a space."""
    text = str(value or "").encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return one_line(_CONTROL.sub(" ", text))


def _header(message: EmailMessage, name: str) -> str:
    """The text of header `name`; "" when the standard library cannot read it (it raises
    IndexError on a Message-ID of `<>`)."""
    try:
        return _header_text(message.get(name))
    except (IndexError, ValueError, TypeError, AttributeError):
        return ""


def _automation(message: EmailMessage) -> tuple[bool, bool]:
    """(automated, auto_reply) of `ParsedMail`: RFC 3834's Auto-Submitted, the Precedence and
    X-Autoreply headers mail clients add, and a bounce (a delivery report, or the null
    sender RFC 5321 gives bounces). A sender's name (postmaster@) is a person's too."""
    submitted = _header(message, "Auto-Submitted").lower().split(";")[0].strip()
    precedence = _header(message, "Precedence").lower()
    says_auto_reply = any(
        _header(message, name).lower() not in ("", "no", "false", "0")
        for name in ("X-Autoreply", "X-Autorespond")
    )
    auto_reply = (
        submitted == "auto-replied"
        or precedence == "auto_reply"
        or says_auto_reply
        or message.get_content_type() == "multipart/report"
        or _header(message, "Return-Path") == "<>"
    )
    automated = auto_reply or submitted not in ("", "no") or precedence in ("bulk", "junk")
    return automated, auto_reply


def _raw_headers(message: EmailMessage, name: str) -> tuple[str, ...]:
    """Header `name`'s values as received, top first, unfolded but not decoded: the parser
    would decode RFC 2047 encoded-words in them (`=?utf-8?q?=3B_dkim=3Dpass?=`), and what a
    mail server copies from the sender (its HELO name, its envelope address) would then read
    as results of the server's own."""
    wanted = name.lower()
    return tuple(_header_text(value) for key, value in message.raw_items() if key.lower() == wanted)


def _resinfo_tokens(header: str) -> list[list[str]]:
    """The `;`-separated parts of an Authentication-Results header, each as its tokens, read
    as RFC 8601's grammar does: comments (which nest) dropped, a quoted string one token
    (unquoted) whatever it holds. The values our server quotes come from the sender (the
    envelope address of `smtp.mailfrom`): split naively, a `;` in one would start a result
    the sender wrote."""
    parts: list[list[str]] = [[]]
    token: list[str] = []
    depth, quoted, escaped = 0, False, False

    def end_token() -> None:
        if token:
            parts[-1].append("".join(token))
            token.clear()

    for char in header:
        if escaped:
            if not depth:
                token.append(char)
            escaped = False
        elif char == "\\" and (quoted or depth):
            escaped = True
        elif quoted:
            quoted = char != '"'
            if quoted:
                token.append(char)
        elif depth:
            depth += {"(": 1, ")": -1}.get(char, 0)
        elif char == '"':
            quoted = True
        elif char == "(":
            end_token()
            depth = 1
        elif char == ";":
            end_token()
            parts.append([])
        elif char.isspace():
            end_token()
        else:
            token.append(char)
    end_token()
    return parts


def _authentication(header: str) -> tuple[str, list[tuple[str, str, dict[str, str]]]]:
    """(authserv-id, results) of one Authentication-Results header, each result as (method,
    result, properties): `mx.example.net; dkim=pass (good) header.d=example.com` is
    ("mx.example.net", [("dkim", "pass", {"header.d": "example.com"})]). The grammar allows
    spaces around `=` and a method's version (`dkim/1=pass`)."""
    server, *resinfos = _resinfo_tokens(header)
    results = []
    for resinfo in resinfos:
        joined: list[str] = []
        for token in resinfo:
            if joined and (token.startswith("=") or joined[-1].endswith("=")):
                joined[-1] += token
            else:
                joined.append(token)
        pairs = [token.partition("=") for token in joined]
        pairs = [(name.lower(), value.lower()) for name, sign, value in pairs if sign]
        if pairs:
            (method, result), *properties = pairs
            results.append((method.split("/")[0], result, dict(properties)))
    return (server or [""])[0].lower(), results


def _ascii_domain(domain: str) -> str:
    """A domain as DNS and DKIM write it: a customer's `ñ` is `xn--...`."""
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def _aligned(domain: str, from_domain: str) -> bool:
    """DMARC's relaxed alignment (RFC 7489, 3.1), without the public suffix list: the same
    domain, or one a subdomain of the other."""
    domain = _ascii_domain(domain.rpartition("@")[2].strip("."))
    from_domain = _ascii_domain(from_domain)
    return bool(domain) and (
        domain == from_domain
        or from_domain.endswith("." + domain)
        or domain.endswith("." + from_domain)
    )


def authentication_by(
    mail: ParsedMail, authserv_ids: Collection[str]
) -> list[tuple[str, str, dict[str, str]]] | None:
    """The results the operator's mail servers (their `authserv_ids`) found: those of the
    topmost Authentication-Results header with one of those ids, the last of our servers the
    message passed. A server adds its own above the headers the message came with, so one
    below may be the sender's, written to pass for a server of ours (RFC 8601 asks the
    server to remove those; not every one does). None when no header has one of the ids:
    then the setting, or the server, is wrong, not the sender."""
    if isinstance(authserv_ids, str):  # its letters would each pass for a server of ours
        raise TypeError("authserv_ids is a collection of ids, not one id")
    ours = {server.lower() for server in authserv_ids}
    for header in mail.authentication_results:
        server, results = _authentication(header)
        if server in ours:
            return results
    return None


def sender_authenticated(mail: ParsedMail, authserv_ids: Collection[str]) -> bool:
    """Whether the operator's mail servers (`authentication_by`) found the From domain's
    authentication: DMARC passed for it, or DKIM or SPF passed for a domain aligned with
    it."""
    from_domain = mail.from_address.rpartition("@")[2]
    for method, result, properties in authentication_by(mail, authserv_ids) or []:
        if result != "pass":
            continue
        domain = {
            # which From the server judged: a message may carry several
            "dmarc": properties.get("header.from", ""),
            "dkim": properties.get("header.d") or properties.get("header.i", ""),
            "spf": properties.get("smtp.mailfrom", ""),
        }.get(method, "")
        if _aligned(domain, from_domain):
            return True
    return False


def parse_message(raw: bytes) -> ParsedMail:
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as error:  # the parser itself is lenient; this is a last resort
        raise MalformedMail(f"not an email message: {error}") from error
    sender = _sender(message)
    recipients = _recipients(message)

    plain, html, attachments = [], [], []
    for part in message.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        if disposition == "attachment" or (filename and disposition != "inline"):
            attachments.append(
                ParsedAttachment(
                    filename=attachment_filename(filename),
                    content_type=part.get_content_type(),
                    content=part.get_payload(decode=True) or b"",
                )
            )
        elif part.get_content_type() == "text/plain":
            plain.append(_decoded_text(part))
        elif part.get_content_type() == "text/html":
            html.append(_decoded_text(part))

    text = "\n".join(plain).strip() or "\n".join(html_to_text(h) for h in html).strip()
    message_id = _header(message, "Message-ID")
    automated, auto_reply = _automation(message)
    return ParsedMail(
        from_address=_header_text(sender.addr_spec).lower(),
        from_name=_header_text(sender.display_name),
        subject=_header(message, "Subject"),
        message_id=message_id if len(message_id) <= MESSAGE_ID_LIMIT else "",
        text=text.replace("\x00", ""),  # PostgreSQL's text refuses NUL
        attachments=attachments,
        recipients=recipients,
        automated=automated,
        auto_reply=auto_reply,
        authentication_results=_raw_headers(message, "Authentication-Results"),
    )


# Seed 003 asks a request by e-mail to state "el impacto de su solicitud para el negocio y
# prioridad sugerida". A line "Impacto: alto" or "Prioridad sugerida: 2" (or in English) is
# read; the customer's own lines only, not a quoted mail ("> ...").
_STATED = re.compile(
    r"^[ \t]*(?:[-*\u2022][ \t]*)?"
    r"(?P<label>impacto(?: para el negocio)?|impact|prioridad(?: sugerida)?|suggested priority"
    r"|priority)[ \t]*[:=][ \t]*(?P<value>[^\n]+)$",
    re.IGNORECASE | re.MULTILINE,
)
_IMPACT_WORDS = {
    Impact.HIGH: ("alto", "alta", "high", "critico", "critica", "critical"),
    Impact.MEDIUM: ("medio", "media", "medium", "moderado", "moderada", "moderate"),
    Impact.LOW: ("bajo", "baja", "low", "leve", "minor"),
}
# Seed 003's "Niveles de prioridad": 1 Critical, 2 High, 3 Medium, 4 Low, and "convenida".
_PRIORITY_WORDS = {
    Priority.P1: ("1", "critica", "critico", "critical", "urgente", "urgent"),
    Priority.P2: ("2", "alta", "alto", "high"),
    Priority.P3: ("3", "media", "medio", "medium"),
    Priority.P4: ("4", "baja", "bajo", "low"),
    Priority.PLANNED: ("convenida", "acordada", "planificada", "planned", "agreed"),
}
_PRIORITY_NUMBER = re.compile(r"^(?:p|prioridad|priority)?[ \t]*([0-9])\b")


def _plain_words(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).strip()


def _first_word(value: str) -> str:
    match = re.match(r"[a-z0-9]+", value)
    return match.group(0) if match else ""


def _word_choice(word: str, table: dict) -> str | None:
    return next((choice for choice, words in table.items() if word in words), None)


def stated_priority(text: str) -> tuple[str | None, str | None]:
    """(impact, suggested priority) the text states on lines of their own, each None when
    not stated or not understood; the first statement of each counts (a later one may be a
    signature's or a forwarded mail's)."""
    impact = priority = None
    impact_seen = priority_seen = False
    for match in _STATED.finditer(text or ""):
        label, value = _plain_words(match["label"]), _plain_words(match["value"])
        if label.startswith("impact"):
            if not impact_seen:
                impact_seen = True
                impact = _word_choice(_first_word(value), _IMPACT_WORDS)
        elif not priority_seen:
            priority_seen = True
            number = _PRIORITY_NUMBER.match(value)
            word = number.group(1) if number else _first_word(value)
            priority = _word_choice(word, _PRIORITY_WORDS)
    return impact, priority
