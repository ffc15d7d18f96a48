from core.errors import CreditdeskError


class KnowledgeError(CreditdeskError):
    code = "knowledge_error"


class TranslationLanguageClash(KnowledgeError):
    code = "translation_same_language"
    message_es = "La traducción debe estar en el otro idioma: «{title}» también está en {language}."
    message_en = "A translation must be in the other language: '{title}' is also in {language}."

    def __init__(self, **params) -> None:
        super().__init__(field="translation", **params)


class TranslationOfItself(KnowledgeError):
    code = "translation_of_itself"
    message_es = "Un artículo no puede ser su propia traducción."
    message_en = "An article cannot be its own translation."

    def __init__(self) -> None:
        super().__init__(field="translation")


class AudienceWithoutPlans(KnowledgeError):
    code = "audience_without_plans"
    message_es = "Elija al menos un plan, o publíquelo para todos."
    message_en = "Choose at least one plan, or publish it for everyone."

    def __init__(self) -> None:
        super().__init__(field="plans")


class ArticleNotPublished(KnowledgeError):
    code = "article_not_published"
    message_es = "El artículo «{title}» no está publicado."
    message_en = "The article '{title}' is not published."
