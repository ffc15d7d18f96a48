"""A small knowledge base: public tutorials in Spanish (some translated), one article for a
plan only, a draft; a customer on that plan and one on another, each with a portal login."""

from dataclasses import dataclass

import pytest

from contracts.models import Plan
from knowledge.models import Article, Category
from knowledge.services import article_save, category_save
from tests.factories import (
    make_agent,
    make_contact,
    make_contract,
    make_customer,
    make_plan,
    make_portal_user,
)

PASSWORD = "portal-password-1"


def make_category(slug: str = "correo", name_es: str = "Correo electrónico", **fields):
    existing = Category.objects.filter(slug=slug).first()
    if existing:
        return existing
    return category_save(Category(slug=slug, name_es=name_es, **fields))


def make_article(
    title: str,
    body: str = "Texto del artículo.",
    *,
    language: str = "es",
    category: Category | None = None,
    plans: list[Plan] | None = None,
    published: bool = True,
    translation: Article | None = None,
    **fields,
) -> Article:
    article = Article(
        title=title,
        body=body,
        language=language,
        category=category or make_category(),
        status=Article.Status.PUBLISHED if published else Article.Status.DRAFT,
        audience=Article.Audience.PLANS if plans else Article.Audience.EVERYONE,
        **fields,
    )
    return article_save(article, plans=plans or [], translation=translation)


@dataclass
class Base:
    mail: Article
    mail_en: Article
    mail_setup: Article
    redirect: Article
    password: Article
    firewall_plan_only: Article
    draft: Article
    plan: Plan
    other_plan: Plan
    contact: object
    user: object
    other_contact: object
    other_user: object
    agent: object


@pytest.fixture
def kb(db) -> Base:
    mail_category = make_category("correo", "Correo electrónico", name_en="Email", position=1)
    domains = make_category("dominios", "Dominios y DNS", name_en="Domains and DNS", position=2)
    mail = make_article(
        "Cómo crear una cuenta de correo",
        "Ingrese al panel, abra Correo electrónico y pulse Crear cuenta. Elija la casilla "
        "y una contraseña segura.",
        summary="Cree una casilla con su dominio.",
        category=mail_category,
    )
    mail_en = make_article(
        "How to create an email account",
        "Sign in to the panel, open Email and click Create account. Choose the mailbox "
        "and a strong password.",
        language="en",
        category=mail_category,
        translation=mail,
    )
    mail_setup = make_article(
        "Configurar el correo en el teléfono",
        "Servidor IMAP mail.sudominio.com, puerto 993. Configuración del servidor de salida.",
        category=mail_category,
    )
    redirect = make_article(
        "Cómo redirigir un dominio",
        "Abra Dominios, Redirecciones, y escriba la dirección de destino.",
        category=domains,
    )
    password = make_article(
        "Restablecer la contraseña del panel",
        "Pulse ¿Olvidó su contraseña? y siga el enlace que llega al correo del titular.",
        category=mail_category,
    )
    plan = make_plan(name="Soporte Nivel 1")
    other_plan = make_plan(name="Otro plan")
    firewall = make_article(
        "Mi IP quedó bloqueada en el firewall",
        "El firewall bloquea la IP tras varios intentos fallidos de contraseña.",
        category=domains,
        plans=[plan],
    )
    draft = make_article(
        "Borrador sobre copias de seguridad",
        "Restaurar copias de seguridad del correo.",
        published=False,
    )
    customer = make_customer(legal_name="Hotel Andino S.A.S.")
    make_contract(customer, plan)
    contact = make_contact(customer, name="Ana Ruiz", email="ana@hotel.example")
    user = make_portal_user(contact, username="ana", password=PASSWORD)
    other = make_customer(legal_name="Ferretería Sur S.A.S.")
    make_contract(other, other_plan)
    other_contact = make_contact(other, name="Luis Peña", email="luis@sur.example")
    other_user = make_portal_user(other_contact, username="luis", password=PASSWORD)
    agent = make_agent(username="agente", password=PASSWORD)
    return Base(
        mail,
        mail_en,
        mail_setup,
        redirect,
        password,
        firewall,
        draft,
        plan,
        other_plan,
        contact,
        user,
        other_contact,
        other_user,
        agent,
    )
