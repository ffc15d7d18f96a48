"""A request id on every request and log line, and JSON logs for log collectors.

The id comes from the `X-Request-ID` header when a proxy set one (so one id follows a
request from the load balancer into our logs) and is made up otherwise; it is echoed in the
response. `LOG_FORMAT=json` (settings) writes one JSON object per line with the id, so a
collector can join a customer's report ("request abc123 failed") to its traceback.
"""

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# Anything else from outside is replaced, so a header cannot forge log lines or grow them.
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

request_id: ContextVar[str] = ContextVar("request_id", default="-")
access_logger = logging.getLogger("creditdesk.requests")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if _ACCEPTED_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = rid
            if access_logger.isEnabledFor(logging.INFO):  # only LOG_FORMAT=json logs requests
                self._log(request, response, started)
            return response
        finally:
            request_id.reset(token)

    @staticmethod
    def _log(request: HttpRequest, response: HttpResponse, started: float) -> None:
        access_logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )


class RequestIdFilter(logging.Filter):
    """Gives every record `request_id` ("-" outside a request: workers, commands)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


_ACCESS_FIELDS = ("method", "path", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        entry.update(
            {name: getattr(record, name) for name in _ACCESS_FIELDS if hasattr(record, name)}
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


# Log times are UTC like every stored time.
JsonFormatter.converter = time.gmtime
