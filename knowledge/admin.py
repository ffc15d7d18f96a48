"""Authoring the knowledge base: thin, every save goes through `knowledge.services`.

The form shows the services' refusals on its fields (a translation in the same language, an
article for chosen plans without any plan) instead of failing on save.
"""

import copy

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import CreditdeskError, InvalidInput
from core.forms import PrintableTextsForm
from knowledge import services
from knowledge.models import Article, ArticleFeedback, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = PrintableTextsForm  # `category_save`'s bound on the names, shown on the field
    list_display = ["name_es", "name_en", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name_es", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_es"]}

    def save_model(self, request, obj, form, change):
        services.category_save(obj)


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = [
            "title",
            "language",
            "category",
            "summary",
            "body",
            "status",
            "audience",
            "plans",
            "translation",
            "slug",
            "position",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "cols": 100})}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # The instance takes the form's values only after clean(); the rules read these.
        candidate = copy.copy(self.instance)
        for name in ("title", "summary", "body", "language", "status", "audience"):
            setattr(candidate, name, cleaned.get(name))
        try:
            services.article_check(
                candidate,
                plans=cleaned.get("plans") or [],
                translation=cleaned.get("translation"),
            )
        except CreditdeskError as error:
            field = error.field if error.field in self.fields else None
            raise ValidationError({field: error.message()} if field else error.message()) from None
        return cleaned

    def validate_unique(self):
        # Linking to an article already linked elsewhere is allowed: the service unlinks it.
        try:
            self.instance.validate_unique(
                exclude={*self._get_validation_exclusions(), "translation"}
            )
        except ValidationError as error:
            self._update_errors(error)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = ["title", "language", "category", "status", "audience", "translation"]
    list_filter = ["status", "language", "audience", "category", "plans"]
    search_fields = ["title", "summary", "body", "slug"]
    autocomplete_fields = ["translation"]
    filter_horizontal = ["plans"]
    readonly_fields = ["published_at", "updated_at", "updated_by"]
    actions = ["publish", "unpublish"]

    def save_model(self, request, obj, form, change):
        services.article_save(
            obj,
            plans=form.cleaned_data.get("plans"),
            translation=form.cleaned_data.get("translation"),
            by=request.user,
        )

    def save_related(self, request, form, formsets, change):
        # The plans were set by the service with the article; the form would set them again.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def _each(self, request, queryset, service, done) -> None:
        count = 0
        for article in queryset:
            try:
                service(article, by=request.user)
            except (CreditdeskError, InvalidInput) as error:
                self.message_user(request, f"{article}: {error.message()}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done(count), messages.SUCCESS)

    @admin.action(description=_("Publicar los artículos elegidos"))
    def publish(self, request, queryset):
        self._each(
            request,
            queryset,
            services.article_publish,
            lambda n: (
                ngettext("%(n)d artículo publicado.", "%(n)d artículos publicados.", n) % {"n": n}
            ),
        )

    @admin.action(description=_("Pasar a borrador los artículos elegidos"))
    def unpublish(self, request, queryset):
        self._each(
            request,
            queryset,
            services.article_unpublish,
            lambda n: (
                ngettext(
                    "%(n)d artículo pasado a borrador.", "%(n)d artículos pasados a borrador.", n
                )
                % {"n": n}
            ),
        )


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(admin.ModelAdmin):
    """Read only: what readers answered, with their comments."""

    list_display = ["article", "helpful", "comment", "at"]
    list_filter = ["helpful", "article__language"]
    search_fields = ["article__title", "comment"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
