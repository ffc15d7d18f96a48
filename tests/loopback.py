"""A real HTTP server on loopback, answering with the status codes, bodies and delays a test
queues: webhooks' receiving end, and Stripe's answers where localstripe lacks them."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []  # status codes to answer, in order; 200 once used up
        self.bodies: list[bytes] = []  # JSON bodies to answer, in order; plain text once used up
        self.delays: list[float] = []  # seconds to wait before answering, in order
        # > 0: the answer comes a header line every `trickle` seconds, 20 of them, as from a
        # receiver that keeps a connection busy while staying within every read's timeout
        self.trickle = 0.0
        self.received = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {name.lower(): value for name, value in self.headers.items()}
                with receiver.lock:
                    receiver.requests.append((headers, body))
                    status = receiver.answers.pop(0) if receiver.answers else 200
                    answer = receiver.bodies.pop(0) if receiver.bodies else None
                    delay = receiver.delays.pop(0) if receiver.delays else 0
                receiver.received.set()
                time.sleep(delay)
                if receiver.trickle:
                    self._trickle(receiver.trickle)
                    return
                self.send_response(status)
                if answer is None:
                    self.end_headers()
                    self.wfile.write(b"ok" if status < 300 else b"receiver broken")
                    return
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def _trickle(self, pause: float) -> None:
                try:
                    self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                    for line in range(20):
                        time.sleep(pause)
                        self.wfile.write(f"X-Slow-{line}: .\r\n".encode())
                    self.wfile.write(b"Content-Length: 2\r\n\r\nok")
                except OSError:  # the client gave up: what the test is about
                    self.close_connection = True

            def log_message(self, *args) -> None:
                """Quiet: a test reads `requests` instead."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.url = f"{self.base_url}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
