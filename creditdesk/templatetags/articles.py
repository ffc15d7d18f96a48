"""Knowledge-base articles in templates: an article's text as HTML, and the reply box's
article-link picker."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_STEP = re.compile(r"^\d+\.\s+")


@register.filter
def article_body(text: str) -> SafeString:
    """Plain text as HTML: a blank line separates paragraphs; a paragraph whose every line
    starts "1. ", "2. " is a numbered list; http(s) addresses become links. Everything is
    escaped."""
    blocks = []
    for paragraph in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()):
        lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
        if not lines:
            continue
        steps = [line for line in lines if _STEP.match(line)]
        if steps and len(steps) == len(lines):
            items = "".join(f"<li>{_inline(_STEP.sub('', line))}</li>" for line in lines)
            blocks.append(f"<ol>{items}</ol>")
        elif steps and _STEP.match(lines[-1]) and not _STEP.match(lines[0]):
            # "What to do:" followed by its steps.
            head = [line for line in lines if not _STEP.match(line)]
            items = "".join(f"<li>{_inline(_STEP.sub('', line))}</li>" for line in steps)
            blocks.append(f"<p>{'<br>'.join(_inline(line) for line in head)}</p><ol>{items}</ol>")
        else:
            blocks.append(f"<p>{'<br>'.join(_inline(line) for line in lines)}</p>")
    return mark_safe("".join(blocks))  # noqa: S308  (every piece escaped by _inline)


# In escaped text: an address ends at a space, an escaped quote or bracket, or before a
# closing punctuation mark.
_ADDRESS = re.compile(r"https?://(?:(?!&quot;|&#x27;|&lt;|&gt;)[^\s<>\"'])+(?<![.,;:!?)»])")


def _inline(line: str) -> str:
    """One escaped line, its http(s) addresses as links (bare names such as
    "mail.sudominio.com" in a tutorial are placeholders, not links)."""
    escaped = str(escape(line))
    return _ADDRESS.sub(lambda m: f'<a href="{m[0]}" rel="nofollow">{m[0]}</a>', escaped)


@register.inclusion_tag("knowledge/_article_picker.html")
def article_picker(ticket) -> dict:
    from creditdesk.web.views.knowledge import article_link, picker_articles

    groups = picker_articles(ticket)
    for group in groups:
        group["options"] = [(article, article_link(article)) for article in group["articles"]]
    return {"groups": groups}
