"""Test clients for pages, as a person's browser would be."""

from django.test import Client


def signed_in(user, language: str | None = None) -> Client:
    """A client signed in as `user`; with `language`, asking for pages in it as the
    language switch leaves a browser (its cookie) and as the browser asks (its header)."""
    client = Client(headers={"accept-language": language} if language else None)
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return client
