"""The site's page routes, found by walking the URL patterns, so tests that must cover every
page (the access matrix, the input fuzzing) see a new one without being told."""

from django.urls import URLPattern, URLResolver, get_resolver


def page_routes(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """Every page route as its pattern text ("portal/tickets/<ticket:number>/"); Django's
    admin, the API (covered by its own schema) and the language switch are left out."""
    resolver = resolver or get_resolver()
    found = []
    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if not text.startswith(("admin/", "api/", "i18n/")):
                found.extend(page_routes(pattern, text))
        elif isinstance(pattern, URLPattern):
            found.append(text)
    return found
