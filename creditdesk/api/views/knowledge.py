"""The knowledge base, read only, and "¿Fue útil?": the portal's articles for integrations.

A caller reads what `creditdesk.roles.knowledge_plan_of` allows (a contact their plan's and
everyone's articles, staff every published one); search is `knowledge.selectors`'s one
search, in the language asked for (`?language=`, else the request's)."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from core.languages import language_code
from core.text import row_id
from creditdesk.api.serializers.knowledge import (
    ArticleFeedbackAnswerSerializer,
    ArticleFeedbackSerializer,
    ArticleSearchSerializer,
    ArticleSerializer,
)
from creditdesk.api.views.base import ApiViewSet
from creditdesk.roles import ALL, KNOWLEDGE_ANSWERERS, contact_of, knowledge_plan_of
from knowledge import selectors, services
from knowledge.models import Category

_SEARCH = [
    OpenApiParameter("q", str, description="Words to search for (up to 200 characters)."),
    OpenApiParameter(
        "language",
        str,
        enum=["es", "en"],
        description="The reader's language: its articles, and the other language's ones "
        "without a translation in it. Default: the request's language.",
    ),
    OpenApiParameter("category", str, description="A category's slug."),
]


@extend_schema_view(
    list=extend_schema(
        parameters=_SEARCH,
        description="Published articles the caller may read; with `q`, best match first.",
    ),
)
class ArticleViewSet(ApiViewSet):
    serializer_class = ArticleSerializer
    roles = {"list": ALL, "retrieve": ALL, "feedback": KNOWLEDGE_ANSWERERS}
    filter_backends: list = []
    customer_path = ""

    def _reader(self):
        return knowledge_plan_of(self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["language"] = getattr(self, "_language", None) or language_code()
        return context

    def _articles_data(self, articles, *, many: bool = False):
        """Articles as the API shows them; each names its translation only when the caller
        may open it, asked for these articles alone."""
        shown = articles if many else [articles]
        readable = selectors.translations_readable(shown, plan=self._reader())
        context = {**self.get_serializer_context(), "readable_ids": readable}
        return ArticleSerializer(articles, many=many, context=context).data

    def get_queryset(self):
        return selectors.articles_visible(plan=self._reader())

    def list(self, request, *args, **kwargs):
        data = self.parse(ArticleSearchSerializer, data=request.query_params)
        self._language = data.get("language") or language_code()
        category = None
        if data.get("category"):
            category = Category.objects.filter(slug=data["category"]).first()
            if category is None:
                return self.render_page([], ArticleSerializer)
        found = selectors.articles_search(
            data.get("q", ""), language=self._language, plan=self._reader(), category=category
        )
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self._articles_data(page, many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._articles_data(self._article()))

    def _article(self):
        pk = row_id(self.kwargs.get("pk", ""))
        if pk is None:
            raise Http404
        article = self.get_queryset().filter(pk=pk).first()
        if article is None:
            raise Http404
        return article

    @extend_schema(
        request=ArticleFeedbackSerializer,
        responses=ArticleFeedbackAnswerSerializer,
        summary='Answer "¿Fue útil?" for an article',
        description="One answer per caller and article (a contact's answer is the same one "
        "as in the portal); answering again replaces it.",
    )
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        article = self._article()
        data = self.parse(ArticleFeedbackSerializer)
        contact = contact_of(request.user)
        answer = services.article_feedback_give(
            article=article,
            voter=f"contact:{contact.pk}" if contact else f"user:{request.user.pk}",
            helpful=data["helpful"],
            comment=data.get("comment", ""),
            contact=contact,
            at=timezone.now(),
        )
        return self.render(ArticleFeedbackAnswerSerializer, answer)
