"""What a typed search becomes: the same words for both databases."""

from knowledge.text import MAX_TERMS, fold, prefix, query_terms


def test_accents_capitals_punctuation_and_stop_words_fall_away():
    assert query_terms("¿Cómo CREO cuentas de correo?", language="es") == [
        "creo",
        "cuentas",
        "correo",
    ]
    assert query_terms("How do I create an email account", language="en") == [
        "create",
        "email",
        "account",
    ]


def test_only_stop_words_is_no_search():
    assert query_terms("¿Cómo es que no?", language="es") == []
    assert query_terms("", language="es") == []


def test_hostile_input_is_cut_never_refused():
    assert query_terms("x" * 25_000, language="es") == ["x" * 40]
    assert query_terms("\x00<script>alert(1)</script>", language="es") == ["script", "alert", "1"]
    assert len(query_terms(" ".join(f"palabra{n}" for n in range(50)), language="es")) == (
        MAX_TERMS
    )


def test_fold():
    assert fold("Contraseña ÚNICA") == "contrasena unica"


def test_prefix_cuts_endings_but_keeps_four_letters():
    assert prefix("cuentas", language="es") == "cuent"
    assert prefix("configuracion", language="es") == "configur"
    assert prefix("contrasenas", language="es") == "contrasen"
    assert prefix("crear", language="es") == "crea"
    assert prefix("dns", language="es") == "dns"
    assert prefix("2026", language="es") == "2026"
    assert prefix("accounts", language="en") == "account"
