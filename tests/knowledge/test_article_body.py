"""An article's plain text as HTML: paragraphs, numbered steps, links; everything escaped."""

from creditdesk.templatetags.articles import article_body


def test_paragraphs_steps_and_links():
    html = article_body(
        "Antes de empezar:\n1. Ingrese al panel.\n2. Pulse «Crear».\n\nVea https://example.com/x."
    )

    assert html == (
        "<p>Antes de empezar:</p><ol><li>Ingrese al panel.</li><li>Pulse «Crear».</li></ol>"
        '<p>Vea <a href="https://example.com/x" rel="nofollow">https://example.com/x</a>.</p>'
    )


def test_everything_is_escaped_and_bare_names_are_not_links():
    html = article_body('<script>alert(1)</script>\nmail.sudominio.com "x"')

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<a " not in html


def test_a_javascript_address_is_not_a_link():
    assert "<a " not in article_body("javascript:alert(1)")


def test_a_quoted_address_stops_at_the_quote():
    html = article_body('Abra "https://example.com/a?b=1&c=2".')

    assert 'href="https://example.com/a?b=1&amp;c=2"' in html
