"""Django's error handlers (creditdesk/urls.py): the styled 403, 404 and 500 pages in the
user's language with the site navigation; under /api/ the API's JSON error shape."""

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csp import get_nonce
from django.shortcuts import render
from django.template.loader import render_to_string

from creditdesk.api.errors import ApiRefusal, error_body

logger = logging.getLogger(__name__)

PLAIN_500 = (
    "Error del servidor (500). Inténtelo de nuevo en unos minutos.\n"
    "Server error (500). Please try again in a few minutes.\n"
)


def _api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _api_error(status: int, code: str, message_es: str, message_en: str) -> JsonResponse:
    return JsonResponse(error_body(ApiRefusal(code, message_es, message_en)), status=status)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return _api_error(
            403,
            "permission_denied",
            "No tiene permiso para realizar esta acción.",
            "You do not have permission to perform this action.",
        )
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from a page left open across a new sign-in (or with
    cookies refused) says what to do, on the site's own page. `reason` is for developers."""
    return render(request, "403_csrf.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return _api_error(404, "not_found", "No encontrado.", "Not found.")
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Whatever failed may fail again while rendering (the database, a context processor):
    first the full page, then the page with a minimal context (no request: no user, no
    navigation), then plain text. Never raises."""
    if _api(request):
        return _api_error(
            500,
            "server_error",
            "Error interno del servidor; inténtelo de nuevo en unos minutos.",
            "Internal server error; please try again in a few minutes.",
        )
    # The minimal context keeps the CSP nonce, or the page's style block would be refused.
    minimal = {"request": None, "csp_nonce": get_nonce(request)}
    for context, with_request in (({}, True), (minimal, False)):
        try:
            html = render_to_string("500.html", context, request=request if with_request else None)
        except Exception:
            logger.exception("the 500 page failed to render (request context: %s)", with_request)
            continue
        return HttpResponse(html, status=500)
    return HttpResponse(PLAIN_500, status=500, content_type="text/plain; charset=utf-8")
