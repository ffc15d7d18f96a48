"""The knowledge base's pages, in the `web` namespace (included by creditdesk/web/urls.py)."""

from django.urls import path

from creditdesk.web.views import knowledge

urlpatterns = [
    path("help/", knowledge.kb_index, name="kb"),
    # A dot is never in a slug, so this address is never an article's.
    path("help/suggestions.json", knowledge.kb_suggestions, name="kb-suggestions"),
    path("help/<slug:slug>/", knowledge.kb_article, name="kb-article"),
    path("help/<slug:slug>/feedback/", knowledge.kb_feedback, name="kb-feedback"),
    path("workspace/knowledge/", knowledge.kb_report, name="kb-report"),
]
