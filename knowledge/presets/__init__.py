"""The seeds' knowledge-base articles, loaded with their seed's preset (`load_presets`).

Each seed module lists its articles as data: a Spanish article and, where the seed's
customers may read English, its translation. `articles_load` upserts categories and
articles by slug (loading twice changes nothing) and publishes them.
"""

from dataclasses import dataclass, field

from contracts.models import Plan
from knowledge.models import Article, Category
from knowledge.services import article_upsert, category_save

# Shared by the seeds: one provider's knowledge base has one set of categories.
CATEGORIES = {
    "correo": ("Correo electrónico", "Email", 10),
    "dominios": ("Dominios y DNS", "Domains and DNS", 20),
    "sitios-web": ("Sitios web y aplicaciones", "Websites and applications", 30),
    "cuenta": ("Su cuenta y el panel", "Your account and control panel", 40),
    "soporte": ("Cómo trabajamos el soporte", "How support works", 50),
}


@dataclass
class Text:
    slug: str
    title: str
    summary: str
    body: str


@dataclass
class Entry:
    category: str
    spanish: Text
    english: Text | None = None
    position: int = 0
    plans: list[str] = field(default_factory=list)  # empty: for everyone


def category_upsert(slug: str) -> Category:
    name_es, name_en, position = CATEGORIES[slug]
    category = Category.objects.filter(slug=slug).first()
    if category and (category.name_es, category.name_en, category.position) == CATEGORIES[slug]:
        return category
    category = category or Category(slug=slug)
    category.name_es, category.name_en, category.position = name_es, name_en, position
    return category_save(category)


def articles_load(entries: list[Entry]) -> None:
    for entry in entries:
        category = category_upsert(entry.category)
        plans = list(Plan.objects.filter(code__in=entry.plans))
        audience = Article.Audience.PLANS if entry.plans else Article.Audience.EVERYONE
        common = {
            "category": category,
            "audience": audience,
            "plans": plans,
            "position": entry.position,
        }
        spanish = article_upsert(language="es", **vars(entry.spanish), **common)
        if entry.english is not None:
            article_upsert(language="en", translation=spanish, **vars(entry.english), **common)
