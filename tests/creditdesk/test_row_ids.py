"""Where a row is chosen by its id (a canned reply or an article to insert, an incident's
components, an article in the API, any choice of rows in the admin), a value that
`str.isdigit()` takes for a number but `int()` does not (a superscript "²", other scripts'
digits) or a number past any id column is no such row: refused or ignored like any unknown
id, never a 500."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import Client

from contracts.models import Channel, Contract, Customer
from core.forms import RowIdsChoiceField
from core.text import row_id
from creditdesk.admin_site import AdminSite
from statuspage.models import Impact, Incident, Maintenance, State
from tests.api.conftest import client_for
from tests.factories import make_contract, make_staff_user
from tests.knowledge.conftest import kb  # noqa: F401  (fixture)
from tests.statuspage.conftest import catalogue  # noqa: F401  (fixture)
from tests.tickets.conftest import sla_policy  # noqa: F401  (fixture)
from tests.web.conftest import shop, top_up  # noqa: F401  (fixture)
from tickets.services.intake import ticket_open

NOT_IDS = ["²", "١٢", "1²", "-1", " 1", "1.0", "9223372036854775808", "9" * 40, ""]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", 1), ("0042", 42), ("9223372036854775807", 2**63 - 1), (17, 17)]
    + [(value, None) for value in NOT_IDS],
)
def test_a_row_id_is_ascii_digits_within_the_column(value, expected):
    assert row_id(value) == expected


def _agent(shop) -> Client:  # noqa: F811
    client = Client()
    client.force_login(shop.agent)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("value", NOT_IDS)
def test_inserting_a_canned_reply_or_an_article_that_is_no_row(shop, value):  # noqa: F811
    top_up(shop.customer, "5")
    ticket = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Caso").ticket
    reply = f"/workspace/tickets/{ticket.number}/reply/"

    for picker in ("canned", "article"):
        answer = _agent(shop).post(
            reply, {"body": "Hola", "kind": "public", picker: value, f"insert_{picker}": "1"}
        )

        assert answer.status_code == 200
        assert not ticket.messages.filter(author_user=shop.agent).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "9223372036854775808"])
def test_an_incident_or_a_maintenance_naming_no_component_is_refused_on_the_field(
    catalogue,  # noqa: F811
    shop,  # noqa: F811
    value,
):
    client = _agent(shop)

    incident = client.post(
        "/workspace/status/incidents/",
        {
            "title": "Caída",
            "impact": Impact.DEGRADED,
            "state": State.INVESTIGATING,
            "components": [value],
            "body": "Revisamos.",
        },
    )
    maintenance = client.post(
        "/workspace/status/maintenance/",
        {
            "title": "Mantenimiento",
            "components": [value],
            "starts_at": "2030-12-10T10:00",
            "ends_at": "2030-12-10T12:00",
        },
    )

    for answer in (incident, maintenance):
        assert answer.status_code == 200
        assert "no es un valor válido" in answer.content.decode()
    assert not Incident.objects.exists()
    assert not Maintenance.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "١٢", "9223372036854775808"])
def test_an_article_that_is_no_row_is_not_found_in_the_api(kb, value):  # noqa: F811
    assert client_for(kb.user).get(f"/api/v1/articles/{value}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "9223372036854775808"])
@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("knowledge/article", "plans"),
        ("contracts/contract", "services"),
        ("statuspage/component", "services"),
        ("statuspage/incident", "components"),
        ("statuspage/maintenance", "components"),
        ("auth/group", "permissions"),
        ("contracts/contract", "customer"),  # chosen by autocomplete
        ("credits/plancreditterms", "plan"),
    ],
)
def test_the_admins_multiple_choices_refuse_what_is_no_row_on_the_field(model, field, value):
    """Every admin form, ours and Django's, through the admin site's one override."""
    client = Client()
    client.force_login(make_staff_user(username="raiz", is_superuser=True))
    app_label, model_name = model.split("/")
    rows = apps.get_model(app_label, model_name).objects
    before = rows.count()  # the roles' groups exist from the migrations

    answer = client.post(f"/admin/{model}/add/", {field: [value]})

    assert answer.status_code == 200
    assert field in answer.context["adminform"].form.errors
    assert rows.count() == before


REFUSED_SELECTION = {
    "es": "«{}» no es ninguna fila de la lista: no se cambió nada.",
    "en": "“{}” is no row of the list: nothing was changed.",
}


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "abc", "", "\x00", "1e30", "9223372036854775808"])
@pytest.mark.parametrize(
    ("action", "confirm", "language"),
    [
        ("make_cancelled", {"apply": "1", "reason": "baja"}, "es"),
        ("delete_selected", {"post": "yes"}, "en"),
    ],
)
def test_an_admin_action_on_what_is_no_row_changes_nothing_and_names_it(
    action, confirm, language, value
):
    """Django's admin took the selection to the database as it came (a 500); a real row
    chosen beside it is left alone too."""
    contract = make_contract()
    client = Client()
    client.force_login(make_staff_user(username="raiz", is_superuser=True))
    client.cookies["django_language"] = language

    answer = client.post(
        "/admin/contracts/contract/",
        {"action": action, "index": "0", "_selected_action": [contract.pk, value], **confirm},
        follow=True,
    )

    assert answer.status_code == 200
    assert [str(message) for message in answer.context["messages"]] == [
        REFUSED_SELECTION[language].format(value)
    ]
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE


@pytest.mark.django_db
def test_an_admins_inlines_choose_rows_as_the_admin_does(rf):
    """An inline registered with an admin (here a customer's contracts, each naming its
    services) gets the site's row-id choices too: none of today's inlines chooses rows by a
    multiple choice, a future one must not answer 500 for it."""

    class ContractInline(admin.TabularInline):
        model = Contract
        fields = ["services"]

    class CustomerAdmin(admin.ModelAdmin):
        inlines = [ContractInline]

    site = AdminSite(name="inlines")
    site.register(Customer, CustomerAdmin)
    request = rf.get("/")
    request.user = make_staff_user(username="raiz", is_superuser=True)
    [inline] = site.get_model_admin(Customer).get_inline_instances(request)

    services = inline.formfield_for_manytomany(Contract._meta.get_field("services"), request)

    assert isinstance(services, RowIdsChoiceField)
    with pytest.raises(ValidationError):
        services.clean(["²"])
