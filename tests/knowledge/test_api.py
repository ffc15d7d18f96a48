"""`/api/v1/articles/`: read only, searchable, scoped to what the caller may read; and
`POST /api/v1/articles/<id>/feedback/`."""

import pytest
from django.db.models.signals import post_init

from knowledge.models import Article, ArticleFeedback
from tests.api.conftest import client_for
from tests.knowledge.conftest import make_article

pytestmark = pytest.mark.django_db


def test_a_contact_searches_and_finds_the_tutorial_first(kb):
    answer = client_for(kb.user).get("/api/v1/articles/", {"q": "crear cuenta de correo"})

    assert answer.status_code == 200
    first = answer.json()["results"][0]
    assert (first["id"], first["language"], first["translation"]) == (
        kb.mail.pk,
        "es",
        kb.mail_en.pk,
    )
    assert first["url"] == f"http://127.0.0.1:8000/help/{kb.mail.slug}/"
    assert first["category"] == {"slug": "correo", "name": "Correo electrónico"}
    assert first["score"] > 0


def test_the_list_is_scoped_to_the_callers_plan(kb):
    def ids(user, **query):
        body = client_for(user).get("/api/v1/articles/", query).json()
        return {row["id"] for row in body["results"]}

    assert kb.firewall_plan_only.pk in ids(kb.user)
    assert kb.firewall_plan_only.pk not in ids(kb.other_user)
    assert kb.firewall_plan_only.pk in ids(kb.agent)
    assert kb.draft.pk not in ids(kb.agent)
    assert (
        client_for(kb.other_user).get(f"/api/v1/articles/{kb.firewall_plan_only.pk}/").status_code
        == 404
    )
    assert client_for(None).get("/api/v1/articles/").status_code == 401


def test_english_and_categories(kb):
    body = client_for(kb.user).get("/api/v1/articles/", {"language": "en", "q": "email"}).json()
    assert body["results"][0]["id"] == kb.mail_en.pk
    assert body["results"][0]["category"]["name"] == "Email"

    domains = client_for(kb.user).get("/api/v1/articles/", {"category": "dominios"}).json()
    assert {row["id"] for row in domains["results"]} == {
        kb.redirect.pk,
        kb.firewall_plan_only.pk,
    }
    unknown = client_for(kb.user).get("/api/v1/articles/", {"category": "nada"}).json()
    assert unknown["results"] == []


def test_bad_parameters_are_400_with_the_field(kb):
    answer = client_for(kb.user).get("/api/v1/articles/", {"q": "x" * 201, "language": "pt"})

    assert answer.status_code == 400
    assert {"q", "language"} <= set(answer.json()["fields"])


def test_feedback_from_the_api_is_the_contacts_one_answer(kb):
    api = client_for(kb.user)

    first = api.post(f"/api/v1/articles/{kb.mail.pk}/feedback/", {"helpful": True}, format="json")
    again = api.post(
        f"/api/v1/articles/{kb.mail.pk}/feedback/",
        {"helpful": False, "comment": "No encuentro el botón"},
        format="json",
    )

    assert first.status_code == 200
    assert again.status_code == 200
    assert again.json()["helpful"] is False
    (answer,) = ArticleFeedback.objects.all()
    assert (answer.voter, answer.contact) == (f"contact:{kb.contact.pk}", kb.contact)


def test_feedback_refusals(kb):
    api = client_for(kb.other_user)
    hidden = api.post(
        f"/api/v1/articles/{kb.firewall_plan_only.pk}/feedback/", {"helpful": True}, format="json"
    )
    long = api.post(
        f"/api/v1/articles/{kb.mail.pk}/feedback/",
        {"helpful": True, "comment": "x" * 1001},
        format="json",
    )
    missing = api.post(f"/api/v1/articles/{kb.mail.pk}/feedback/", {}, format="json")

    assert hidden.status_code == 404
    assert long.status_code == 400
    assert "comment" in long.json()["fields"]
    assert missing.status_code == 400
    assert "helpful" in missing.json()["fields"]
    assert not ArticleFeedback.objects.exists()


def test_the_list_without_words_reads_only_the_page_it_answers(kb):
    # given more published articles than the page asked for
    built: list[int] = []

    def count(sender, instance, **kwargs):
        built.append(instance.pk)

    post_init.connect(count, sender=Article)
    try:
        answer = client_for(kb.agent).get("/api/v1/articles/", {"page_size": 2})
    finally:
        post_init.disconnect(count, sender=Article)

    # then the answer pages the whole list, and only that page's articles were read
    body = answer.json()
    assert body["count"] > 2
    assert len(body["results"]) == 2
    assert len(built) == 2
    assert [row["score"] for row in body["results"]] == [None, None]


def test_an_article_names_its_translation_only_to_callers_who_may_open_it(kb):
    # given a Spanish article for everyone whose English translation is for one plan only
    spanish = make_article("Cómo ver el uso del disco", "Abra Archivos y pulse Uso del disco.")
    english = make_article(
        "How to see disk usage",
        "Open Files and click Disk usage.",
        language="en",
        translation=spanish,
        plans=[kb.plan],
    )

    def translation(user) -> tuple:
        client = client_for(user)
        listed = client.get("/api/v1/articles/", {"q": "disco", "language": "es"}).json()
        (row,) = [row for row in listed["results"] if row["id"] == spanish.pk]
        read = client.get(f"/api/v1/articles/{spanish.pk}/").json()
        return row["translation"], read["translation"]

    # then the plan's contact and staff see it named, in the list and the article alike
    assert translation(kb.user) == (english.pk, english.pk)
    assert translation(kb.agent) == (english.pk, english.pk)
    # and another plan's contact, who may not open it, does not
    assert translation(kb.other_user) == (None, None)


def test_staff_may_not_answer_fue_util_through_the_api_as_on_the_page(kb):
    answer = client_for(kb.agent).post(
        f"/api/v1/articles/{kb.mail.pk}/feedback/", {"helpful": False}, format="json"
    )

    assert answer.status_code == 403
    assert answer.json()["code"] == "permission_denied"
    assert not ArticleFeedback.objects.exists()
