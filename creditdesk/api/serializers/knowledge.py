"""Knowledge-base articles, read only, and the answer to "¿Fue útil?"."""

from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

from knowledge.models import COMMENT_LIMIT, Article, Language


class ArticleCategorySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField(help_text="In the request's language.")


class ArticleSerializer(serializers.ModelSerializer):
    category = serializers.SerializerMethodField()
    translation = serializers.SerializerMethodField(
        help_text="The id of the article in the other language, when the caller may read it."
    )
    url = serializers.SerializerMethodField(help_text="The article's page in the portal.")
    score = serializers.SerializerMethodField(
        help_text="How well it matches `q` (higher is better; only comparable within one "
        "answer); null without `q`."
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "language",
            "title",
            "summary",
            "body",
            "category",
            "translation",
            "url",
            "published_at",
            "updated_at",
            "score",
        ]
        read_only_fields = fields

    def get_category(self, article: Article) -> ArticleCategorySerializer:
        language = self.context.get("language", "es")
        return {"slug": article.category.slug, "name": article.category.name_in(language)}

    def get_translation(self, article: Article) -> int | None:
        readable = self.context.get("readable_ids")
        if article.translation_id is None or readable is None:
            return None
        return article.translation_id if article.translation_id in readable else None

    def get_url(self, article: Article) -> str:
        return settings.SITE_URL + reverse("web:kb-article", args=[article.slug])

    def get_score(self, article: Article) -> float | None:
        score = getattr(article, "score", None)
        return round(score, 6) if score is not None else None


class ArticleSearchSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    category = serializers.SlugField(required=False, max_length=80)


class ArticleFeedbackSerializer(serializers.Serializer):
    helpful = serializers.BooleanField()
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=COMMENT_LIMIT, default=""
    )


class ArticleFeedbackAnswerSerializer(serializers.Serializer):
    article = serializers.IntegerField(source="article_id")
    helpful = serializers.BooleanField()
    comment = serializers.CharField()
    at = serializers.DateTimeField()
