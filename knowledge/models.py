"""The knowledge base: categories, articles (one language each; a translation is a link
between two articles), who may read them, and what readers did with them.

Searching: SQLite keeps a full-text index of every article's title and body in the FTS5
table `knowledge_article_fts`, filled by triggers on `knowledge_article` (migration 0002);
PostgreSQL searches GIN expression indexes over the same columns, one per text-search
configuration (spanish, english). Neither is a Django field, so:

WARNING: a migration that rebuilds `knowledge_article` on SQLite (Django copies the table to
alter most columns) drops the table's triggers with it. Such a migration must run
`knowledge.search.sqlite_install` again; `tests/knowledge/test_search.py` fails until it does.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from contracts.models import Contact, Customer, Plan

# Bounds, checked by the services before anything is written (admin, presets, API alike).
TITLE_LIMIT = 200
SUMMARY_LIMIT = 300
BODY_LIMIT = 50_000
COMMENT_LIMIT = 1_000


class Language(models.TextChoices):
    SPANISH = "es", "Español"
    ENGLISH = "en", "English"


class Category(models.Model):
    slug = models.SlugField(_("código"), max_length=80, unique=True)
    name_es = models.CharField(_("nombre en español"), max_length=120)
    name_en = models.CharField(_("nombre en inglés"), max_length=120, blank=True)
    position = models.PositiveIntegerField(_("orden"), default=0)

    class Meta:
        ordering = ["position", "name_es"]
        verbose_name = _("categoría")
        verbose_name_plural = _("categorías")

    def __str__(self) -> str:
        return self.name_es

    def name_in(self, language: str) -> str:
        return self.name_en if language == Language.ENGLISH and self.name_en else self.name_es


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("borrador")
        PUBLISHED = "published", _("publicado")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("todos, también sin iniciar sesión")
        PLANS = "plans", _("solo los planes elegidos")

    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("categoría")
    )
    language = models.CharField(
        _("idioma"), max_length=2, choices=Language.choices, default=Language.SPANISH
    )
    title = models.CharField(_("título"), max_length=TITLE_LIMIT)
    slug = models.SlugField(
        _("dirección"),
        max_length=120,
        unique=True,
        blank=True,
        help_text=_("La parte final de la dirección del artículo; vacía, se toma del título."),
    )
    summary = models.CharField(
        _("resumen"),
        max_length=SUMMARY_LIMIT,
        blank=True,
        help_text=_("Una o dos frases: se muestran en las sugerencias y en los resultados."),
    )
    body = models.TextField(
        _("texto"),
        validators=[MaxLengthValidator(BODY_LIMIT)],
        help_text=_("Texto sin formato; una línea en blanco separa los párrafos."),
    )
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    audience = models.CharField(
        _("quién lo lee"), max_length=10, choices=Audience.choices, default=Audience.EVERYONE
    )
    plans = models.ManyToManyField(
        Plan,
        blank=True,
        related_name="articles",
        verbose_name=_("planes"),
        help_text=_("Los planes cuyos clientes lo leen, cuando no es para todos."),
    )
    translation = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("traducción"),
        help_text=_("El mismo artículo en el otro idioma; el enlace vale en los dos sentidos."),
    )
    position = models.PositiveIntegerField(_("orden en la categoría"), default=0)
    published_at = models.DateTimeField(_("publicado el"), null=True, blank=True)
    created_at = models.DateTimeField(_("creado el"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modificado el"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modificado por"),
    )

    class Meta:
        ordering = ["category__position", "position", "title"]
        verbose_name = _("artículo")
        verbose_name_plural = _("artículos")
        indexes = [models.Index(fields=["status", "language"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ArticleView(models.Model):
    """An article opened by a reader (staff previews are not counted)."""

    class Source(models.TextChoices):
        BROWSING = "browsing", _("navegando la base")
        REQUEST_FORM = "request_form", _("desde el formulario de solicitud")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="views")
    at = models.DateTimeField(_("cuándo"))
    source = models.CharField(_("origen"), max_length=20, choices=Source.choices)
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    suggestion_session = models.ForeignKey(
        "SuggestionSession",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="article_views",
    )

    class Meta:
        indexes = [models.Index(fields=["article", "at"])]
        verbose_name = _("lectura")
        verbose_name_plural = _("lecturas")

    def __str__(self) -> str:
        return f"{self.article_id} @ {self.at:%Y-%m-%d %H:%M}"


class SuggestionSession(models.Model):
    """A customer's visit to the request form in which they opened at least one suggested
    article: the unit of "requests avoided" (`knowledge.selectors.AVOIDED_WINDOW`).

    It is avoided when no request was submitted from that browser session within the window
    after the last article opened from the form; a request within it marks it submitted."""

    session_hash = models.CharField(max_length=64, db_index=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    started_at = models.DateTimeField(_("primer artículo abierto"))
    last_opened_at = models.DateTimeField(_("último artículo abierto"))
    submitted_at = models.DateTimeField(_("solicitud enviada"), null=True, blank=True)
    ticket_number = models.CharField(_("solicitud"), max_length=40, blank=True)

    class Meta:
        indexes = [models.Index(fields=["started_at"])]
        verbose_name = _("visita al formulario con artículos")
        verbose_name_plural = _("visitas al formulario con artículos")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.ticket_number or '-'}"


class ArticleFeedback(models.Model):
    """The answer to "¿Fue útil?": one per reader and article, the last one counts."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("artículo")
    )
    voter = models.CharField(max_length=80, verbose_name=_("votante"))
    helpful = models.BooleanField(_("fue útil"))
    comment = models.TextField(
        _("comentario"), blank=True, validators=[MaxLengthValidator(COMMENT_LIMIT)]
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contacto"),
    )
    at = models.DateTimeField(_("cuándo"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "voter"], name="knowledge_one_answer_each")
        ]
        verbose_name = _("respuesta a «¿Fue útil?»")
        verbose_name_plural = _("respuestas a «¿Fue útil?»")

    def __str__(self) -> str:
        return f"{self.article_id}: {'sí' if self.helpful else 'no'}"
