"""The knowledge base's pages: the help centre (anyone), an article with "¿Fue útil?", the
request form's suggestions (JSON), the staff report, and the two hooks other pages call
(a request submitted from the form; the agent's reply box inserting an article link).

Who reads what is `creditdesk.roles.knowledge_plan_of`; every list and search is
`knowledge.selectors`; every write is `knowledge.services`.
"""

import hashlib
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import CreditdeskError
from core.languages import language_code
from core.text import row_id
from creditdesk.roles import (
    ALL,
    STAFF,
    contact_of,
    has_role,
    knowledge_plan_of,
    knowledge_plan_of_customer,
    may_answer_articles,
)
from creditdesk.security import anonymous_feedback_check
from creditdesk.web.access import staff_view
from creditdesk.web.forms import AgentReplyForm
from creditdesk.web.views.common import show_refusal
from knowledge import selectors, services
from knowledge.models import Article, ArticleView, Category, Language

FROM_FORM = "form"
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def reader_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page anyone may open, signed in or not: `request.reader` is what they may read
    (`knowledge_plan_of`), `request.contact` their contact (or None); a contact's times
    render in their customer's zone."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        request.contact = contact_of(user) if user.is_authenticated else None
        request.reader = knowledge_plan_of(user)
        if request.contact is not None:
            timezone.activate(request.contact.customer.time_zone_info)
        try:
            return view(request, *args, **kwargs)
        finally:
            timezone.deactivate()

    wrapper.allowed_roles = ALL  # offered in the navigation to every signed-in role
    return wrapper


def session_hash(request: HttpRequest) -> str:
    """The browser session, as the suggestion sessions store it (never the key itself)."""
    key = request.session.session_key
    return hashlib.sha256(f"knowledge:{key}".encode()).hexdigest() if key else ""


def _voter(request: HttpRequest) -> str:
    """One answer per reader: a contact (portal and API alike), a user, or a browser."""
    if request.contact is not None:
        return f"contact:{request.contact.pk}"
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    if not request.session.session_key:
        request.session["knowledge_reader"] = True
        request.session.save()
    return f"session:{session_hash(request)[:48]}"


def _from_form(request: HttpRequest) -> bool:
    return request.GET.get("from") == FROM_FORM and request.contact is not None


@require_GET
@reader_view
def kb_index(request: HttpRequest) -> HttpResponse:
    language = language_code()
    query = request.GET.get("q", "")[:200].replace("\x00", "")
    category = None
    if request.GET.get("category"):
        slug = request.GET["category"][:80].replace("\x00", "")
        category = Category.objects.filter(slug=slug).first()
    searching = bool(query.strip()) or category is not None
    results = (
        selectors.articles_search(
            query, language=language, plan=request.reader, category=category, limit=50
        )
        if searching
        else []
    )
    visible = selectors.articles_visible(plan=request.reader, language=language)
    groups = (
        []
        if searching
        else [
            {"slug": c.slug, "name": c.name_in(language), "articles": articles}
            for c, articles in selectors.categories_with_articles(
                plan=request.reader, language=language
            )
        ]
    )
    return render(
        request,
        "knowledge/index.html",
        {
            "query": query,
            "category_name": category.name_in(language) if category else "",
            "searching": searching,
            "results": results,
            "groups": groups,
            "categories": [
                {"slug": c.slug, "name": c.name_in(language), "current": c == category}
                for c in Category.objects.filter(articles__in=visible).distinct()
            ],
            "language": language,
            "from_form": _from_form(request),
            "is_staff": has_role(request.user, STAFF),
        },
    )


@require_GET
@reader_view
def kb_article(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_get(slug=slug, plan=request.reader)
    if article is None:
        raise Http404
    from_form = _from_form(request)
    # Staff previews are not readers; a return from "¿Fue útil?" is the same reading.
    if not has_role(request.user, STAFF) and not request.GET.get("answered"):
        services.article_view_record(
            article=article,
            source=ArticleView.Source.REQUEST_FORM if from_form else ArticleView.Source.BROWSING,
            at=timezone.now(),
            contact=request.contact,
            session_hash=session_hash(request),
        )
    answer = None
    if request.contact is not None or request.user.is_authenticated or request.session.session_key:
        answer = selectors.feedback_of(article, voter=_voter(request))
    related = (
        selectors.articles_visible(plan=request.reader, language=language_code())
        .filter(category=article.category_id)
        .exclude(pk__in=[article.pk, article.translation_id or 0])[:4]
    )
    return render(
        request,
        "knowledge/article.html",
        {
            "article": article,
            "category_name": article.category.name_in(language_code()),
            "translation": selectors.article_translation(article, plan=request.reader),
            "answer": answer,
            "related": related,
            "from_form": from_form,
            "other_language": article.language != language_code(),
            "is_staff": has_role(request.user, STAFF),
        },
    )


@require_POST
@reader_view
def kb_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_get(slug=slug, plan=request.reader)
    if article is None:
        raise Http404
    if not may_answer_articles(request.user):
        raise PermissionDenied
    helpful = request.POST.get("helpful")
    if helpful not in {"yes", "no"}:
        messages.error(request, _("Elija «Sí» o «No»."))
    else:
        try:
            if request.contact is None and not request.user.is_authenticated:
                anonymous_feedback_check(request)
            services.article_feedback_give(
                article=article,
                voter=_voter(request),
                helpful=helpful == "yes",
                # refused by the service with any other control character, as in the API
                comment=request.POST.get("comment", ""),
                contact=request.contact,
                at=timezone.now(),
            )
        except CreditdeskError as error:
            show_refusal(request, error)
        else:
            messages.success(request, _("Gracias por su respuesta."))
    # Back to the article, which does not count this return as another reading.
    target = reverse("web:kb-article", args=[article.slug]) + "?answered=1"
    if request.POST.get("from") == FROM_FORM:
        target += f"&from={FROM_FORM}"
    return redirect(target + "#feedback")


@require_GET
@reader_view
def kb_suggestions(request: HttpRequest) -> JsonResponse:
    """The request form's suggestions for the subject typed so far (`?q=`)."""
    language = language_code()
    found = selectors.article_suggestions(
        request.GET.get("q", "").replace("\x00", ""), language=language, plan=request.reader
    )
    link = "?from=" + FROM_FORM if request.contact is not None else ""
    answer = JsonResponse(
        {
            "articles": [
                {
                    "title": article.title,
                    "summary": article.summary,
                    "language": article.language,
                    "url": reverse("web:kb-article", args=[article.slug]) + link,
                }
                for article in found
            ]
        }
    )
    answer["Cache-Control"] = "private, no-store"
    return answer


def _month(text: str, now: datetime) -> datetime:
    match = MONTH.match(text or "")
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return timezone.localtime(now).replace(
                year=year, month=month, day=1, hour=12, minute=0, second=0, microsecond=0
            )
    return now


@staff_view
def kb_report(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    report = selectors.knowledge_report(month=_month(request.GET.get("month", ""), now), now=now)
    previous = selectors.month_range(report.month - timedelta(days=1))[0]
    following = selectors.month_range(report.month)[1]
    return render(
        request,
        "knowledge/report.html",
        {
            "report": report,
            "previous": previous.strftime("%Y-%m"),
            "following": following.strftime("%Y-%m") if following <= now else None,
            "window_minutes": int(selectors.AVOIDED_WINDOW.total_seconds() // 60),
        },
    )


# --- hooks for other pages ------------------------------------------------------------------


def request_submitted(request: HttpRequest, ticket) -> None:
    """The portal's request form accepted a request: this browser session's articles opened
    from the form did not avoid it."""
    services.suggestion_request_submitted(
        session_hash=session_hash(request), at=timezone.now(), ticket_number=ticket.number
    )


def article_link(article: Article) -> str:
    """What the reply box inserts: the title and the article's address in the portal."""
    return f"{article.title}: {settings.SITE_URL}{reverse('web:kb-article', args=[article.slug])}"


def picker_articles(ticket) -> list[dict]:
    """The articles an agent may link in a reply on `ticket`: those its customer may read now
    (`knowledge_plan_of_customer`, as the portal), grouped by language, the customer's first."""
    first = ticket.customer.language if ticket.customer.language in Language.values else "es"
    groups: dict[str, list[Article]] = {first: [], "en" if first == "es" else "es": []}
    for article in selectors.articles_visible(plan=knowledge_plan_of_customer(ticket.customer)):
        groups.setdefault(article.language, []).append(article)
    return [
        {"label": Language(language).label, "articles": articles}
        for language, articles in groups.items()
        if articles
    ]


def reply_form_with_article(request: HttpRequest, ticket) -> AgentReplyForm:
    """Without JavaScript, "Insertar enlace" posts the reply form: it comes back with the
    article's link added to the message, nothing sent."""
    body = request.POST.get("body", "")
    article = None
    chosen = row_id(request.POST.get("article", ""))
    if chosen is not None:
        plan = knowledge_plan_of_customer(ticket.customer)
        article = selectors.articles_visible(plan=plan).filter(pk=chosen).first()
    if article is None:
        messages.error(request, _("Elija un artículo para insertar su enlace."))
    else:
        body = f"{body.rstrip()}\n\n{article_link(article)}".lstrip()
    return AgentReplyForm(initial={"body": body, "kind": request.POST.get("kind")})
