"""A minimal IMAP4rev1 server on 127.0.0.1 for testing `ingest_mail --imap`.

It speaks just the commands imaplib sends for that path (CAPABILITY, LOGIN, SELECT, SEARCH
UNSEEN, FETCH RFC822, STORE +FLAGS, LOGOUT), over a real socket, so the command's real
imaplib client is what is tested. It stands in for an external mail server, not for our code.
"""

import re
import socketserver
import threading


class Mailbox:
    def __init__(self, messages: list[bytes], user: str, password: str) -> None:
        self.messages = messages
        self.seen: set[int] = set()
        self.flags: dict[int, set[str]] = {}
        self.user, self.password = user, password


class _Handler(socketserver.StreamRequestHandler):
    def send(self, line: bytes) -> None:
        self.wfile.write(line + b"\r\n")

    def handle(self) -> None:
        box: Mailbox = self.server.mailbox
        self.send(b"* OK IMAP4rev1 test server ready")
        while line := self.rfile.readline():
            tag, _, rest = line.strip().partition(b" ")
            command, _, args = rest.partition(b" ")
            command = command.upper()
            if command == b"CAPABILITY":
                self.send(b"* CAPABILITY IMAP4rev1")
            elif command == b"LOGIN":
                user, password = (part.strip(b'"').decode() for part in args.split(b" ", 1))
                if (user, password) != (box.user, box.password):
                    self.send(tag + b" NO authentication failed")
                    continue
            elif command == b"SELECT":
                self.send(b"* %d EXISTS" % len(box.messages))
            elif command == b"SEARCH":
                unseen = [n for n in range(1, len(box.messages) + 1) if n not in box.seen]
                self.send(b"* SEARCH" + b"".join(b" %d" % n for n in unseen))
            elif command == b"FETCH":
                number = int(args.split(b" ")[0])
                body = box.messages[number - 1]
                self.wfile.write(b"* %d FETCH (RFC822 {%d}\r\n" % (number, len(body)) + body)
                self.send(b")")
            elif command == b"STORE":
                number = int(args.split(b" ")[0])
                flags = {flag.decode() for flag in re.findall(rb"\\\w+", args)}
                box.flags.setdefault(number, set()).update(flags)
                if "\\Seen" in flags:
                    box.seen.add(number)
            elif command == b"LOGOUT":
                self.send(b"* BYE")
                self.send(tag + b" OK LOGOUT completed")
                return
            else:
                self.send(tag + b" BAD unsupported")
                continue
            self.send(tag + b" OK " + command + b" completed")


class ImapTestServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mailbox: Mailbox) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mailbox = mailbox
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self) -> "ImapTestServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()
