"""The README's curl example, run as written against the demo data.

The commands are read from README.md (headers and body of each `curl`), the token is the
README's own key given to a demo contact, and the answers are compared with what the README
prints: the opened ticket's fields, then the 402 refusal, word for word, once the
customer's available credits have run short.
"""

import json
import re
import shlex
from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contracts.models import Contact
from credits.selectors import credit_account_list
from credits.services import credit_account_get_or_create, credits_adjust

README = Path(__file__).resolve().parents[2] / "README.md"
INTRO = "Opening a ticket as `demo-caribe`"


def readme_example() -> list[tuple[dict[str, str], dict, str]]:
    """Each curl of the example: its headers, its JSON body and what the README shows."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index(INTRO) :].split("```console", 1)[1].split("```", 1)[0]
    calls = []
    for chunk in block.split("$ curl")[1:]:
        command, _, shown = chunk.partition("\n{")
        words = shlex.split("curl" + command.replace("\\\n", " "))
        headers = dict(words[i + 1].split(": ", 1) for i, word in enumerate(words) if word == "-H")
        body = json.loads(words[words.index("-d") + 1])
        calls.append((headers, body, "{" + shown.strip()))
    return calls


def test_the_readme_example_is_what_the_demo_answers(db):
    call_command("load_demo", stdout=StringIO())
    (open_headers, open_body, opened_shown), (refused_headers, refused_body, refused_shown) = (
        readme_example()
    )
    key = open_headers["Authorization"].removeprefix("Token ")
    contact = Contact.objects.select_related("customer").get(user__username="demo-caribe")
    Token.objects.create(user=contact.user, key=key)

    def post(headers: dict[str, str], body: dict):
        client = APIClient()
        extra = {
            "HTTP_" + name.upper().replace("-", "_"): value
            for name, value in headers.items()
            if name != "Content-Type"
        }
        return client.post(
            "/api/v1/tickets/", json.dumps(body), content_type="application/json", **extra
        )

    # demo-caribe has spent its pack by now (load_demo): it buys credits again first
    finance = User.objects.get(username="demo-finanzas")
    account = credit_account_get_or_create(customer=contact.customer)
    credits_adjust(account=account, credits=Decimal("5"), reason="README example", by=finance)
    opened = post(open_headers, open_body)
    assert opened.status_code == 201, opened.content
    for field in ("status", "priority"):
        shown = re.search(rf'"{field}": "(\w+)"', opened_shown).group(1)
        assert opened.json()[field] == shown
    assert set(re.findall(r'"(\w+)":', opened_shown)) <= set(opened.json())

    # the credits run short: one available credit left, two needed by the plan
    available = credit_account_list().get(pk=account.pk).available_credits
    credits_adjust(
        account=account, credits=Decimal("1") - available, reason="README example", by=finance
    )
    refused = post(refused_headers, refused_body)
    status_shown = int(re.search(r"HTTP (\d+)", refused_shown).group(1))
    assert refused.status_code == status_shown
    assert refused.json() == json.loads(refused_shown.splitlines()[0])


def test_the_example_is_found():
    calls = readme_example()
    assert len(calls) == 2
    assert all("Authorization" in headers for headers, _, _ in calls)
