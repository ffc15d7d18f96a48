"""Who may see which customers' data and who may do what, in one place.

Roles come from the user row, never from the request body:

- admin: a superuser; everything.
- finance: staff in the "finance" group; every customer's credits, invoices and payments,
  credit adjustments.
- agent: staff in the "agents" group; every customer's tickets and credits (read only).
- account manager: any other staff user; the customers whose `account_manager` they are.
- contact: a user linked to a `Contact`; their own customer only.

Two questions, answered separately:
1. Which objects exist for this user? `scope()` filters a queryset to the customers the user
   may see. An object outside it is answered 404, exactly like one that does not exist, so
   ids of other customers never leak.
2. May this role call this action? `has_role` against the tables below; the API's
   `RolePermission` and the pages' `roles_view` both ask it (403 to a role that may not).

The API, the pages and the downloads all import these; nothing restates them.
"""

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from core.reads import first_row

AGENTS_GROUP = "agents"
FINANCE_GROUP = "finance"


class Role(StrEnum):
    ADMIN = "admin"
    FINANCE = "finance"
    AGENT = "agent"
    MANAGER = "account_manager"
    CONTACT = "contact"


ALL = frozenset(Role)
STAFF = frozenset({Role.ADMIN, Role.FINANCE, Role.AGENT, Role.MANAGER})
# Roles that see every customer (within what their actions allow).
EVERY_CUSTOMER = frozenset({Role.ADMIN, Role.FINANCE, Role.AGENT})


# Who works tickets: staff who may answer, move, escalate and assign them (finance only reads),
# and the narrower set who log work and run sessions with the customer.
TICKET_STAFF = frozenset({Role.AGENT, Role.MANAGER, Role.ADMIN})
TICKET_WORKERS = frozenset({Role.AGENT, Role.ADMIN})
TICKET_OPENERS = TICKET_STAFF | {Role.CONTACT}

# Who writes the status page (incidents, their updates, maintenance) and sends an update to
# the linked tickets: the staff who answer customers. Everyone reads it; it is public.
STATUS_AUTHORS = TICKET_STAFF


def status_tickets_reachable(user) -> QuerySet:
    """The linked tickets an incident's update sent by `user` reaches: those the author sees
    (an account manager writes on their customers' requests only, never another's)."""
    from tickets.models import Ticket

    return scope(Ticket.objects.all(), user, roles=STATUS_AUTHORS)


# What a customer's own contact may do to a ticket (DESIGN: "a customer may reopen"); staff
# may request any transition the ticket's table allows.
CONTACT_TICKET_TRANSITIONS = frozenset({"reopened", "closed"})


def roles_of(user) -> frozenset[Role]:
    """The user's roles, computed once per request object and cached on the user."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_api_roles", None)
    if cached is not None:
        return cached
    roles: set[Role] = set()
    if user.is_superuser:
        roles.add(Role.ADMIN)
    if user.is_staff:
        groups = set(user.groups.values_list("name", flat=True))
        if AGENTS_GROUP in groups:
            roles.add(Role.AGENT)
        if FINANCE_GROUP in groups:
            roles.add(Role.FINANCE)
        if not roles:
            roles.add(Role.MANAGER)
    if contact_of(user) is not None:
        roles.add(Role.CONTACT)
    user._api_roles = frozenset(roles)
    return user._api_roles


_NOT_READ = object()


def contact_of(user):
    """The `Contact` linked to the user, or None; read once per user object. (`getattr`, not
    `user.__dict__`: `request.user` is a lazy proxy whose own `__dict__` never holds it.)"""
    contact = getattr(user, "_api_contact", _NOT_READ)
    if contact is _NOT_READ:
        # compiled once per connection (core.reads): every request of a contact asks this
        contact = first_row("contact_of", _contact_of, user_id=user.pk) if user.pk else None
        user._api_contact = contact
    return contact


def _contact_of(*, user_id: int) -> QuerySet:
    from contracts.models import Contact

    return Contact.objects.select_related("customer").filter(user_id=user_id)


def customer_q(user, path: str = "customer", *, roles: frozenset[Role] = ALL) -> Q:
    """A Q matching the customers `user` may see through `roles`; `path` leads from the
    queried model to its customer ("" when the model is Customer itself)."""
    own = roles_of(user) & roles
    prefix = f"{path}__" if path else ""
    if own & EVERY_CUSTOMER:
        return Q()
    q = Q(pk__in=[])
    if Role.MANAGER in own:
        q |= Q(**{f"{prefix}account_manager": user})
    if Role.CONTACT in own:
        q |= Q(**{f"{prefix}pk" if path == "" else f"{path}_id": contact_of(user).customer_id})
    return q


def scope(queryset: QuerySet, user, path: str = "customer", *, roles=ALL) -> QuerySet:
    """`queryset` limited to what `user` may see; see `customer_q`."""
    return queryset.filter(customer_q(user, path, roles=roles))


def has_role(user, roles) -> bool:
    return bool(roles_of(user) & frozenset(roles))


def ticket_workers() -> QuerySet:
    """The users with a `TICKET_WORKERS` role (agents and admins), as `roles_of` reads them:
    the assignee lists (workspace and API) offer only them, not finance or contacts."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(is_staff=True, groups__name=AGENTS_GROUP))
        .distinct()
        .order_by("username")
    )


def attachments_visible_to(user) -> QuerySet:
    """The message attachments `user` may open, for every download and preview: those on the
    tickets `scope` lets them see (finance reads them all), and for a customer's contact not
    those on internal notes. Anything else is a 404, like a missing id."""
    from tickets.models import Attachment, Message

    attachments = scope(
        Attachment.objects.select_related("message__ticket"), user, "message__ticket__customer"
    )
    if not has_role(user, STAFF):
        attachments = attachments.exclude(message__direction=Message.Direction.INTERNAL)
    return attachments


# Who reads invoices, credit notes and payments: not agents (they work tickets, not money).
MONEY_READERS = frozenset({Role.CONTACT, Role.MANAGER, Role.FINANCE, Role.ADMIN})
FINANCE_ROLES = frozenset({Role.FINANCE, Role.ADMIN})


def invoices_visible_to(user) -> QuerySet:
    """The invoices and credit notes `user` may read, for the API and every page and
    download alike: finance and admins all, account managers their customers' (drafts
    included), contacts their own customer's issued ones, anyone else none (a 404, exactly
    like a missing id)."""
    from billing.models import Invoice
    from billing.selectors import invoice_list

    if not has_role(user, MONEY_READERS):
        return Invoice.objects.none()
    invoices = scope(invoice_list(), user)
    if not has_role(user, {Role.MANAGER, Role.FINANCE, Role.ADMIN}):
        invoices = invoices.exclude(status=Invoice.Status.DRAFT)
    return invoices


# The account manager's workspace: who creates and edits customers and contacts, invites
# contacts to the portal and starts, changes, suspends and cancels contracts (the API's
# writers too); who grants courtesy credits; who corrects a balance (finance's adjustment,
# as the API's credit_adjustments); who writes the private notes on a customer (any staff).
CUSTOMER_WRITERS = frozenset({Role.ADMIN, Role.MANAGER})
# Who subscribes a customer to a premium tier from the workspace, or cancels it: their
# account manager, or an admin (the customer's contact does it from the portal).
SUBSCRIPTION_STAFF = frozenset({Role.MANAGER, Role.ADMIN})
CREDIT_GRANTERS = frozenset({Role.ADMIN, Role.MANAGER})
CREDIT_ADJUSTERS = FINANCE_ROLES
NOTE_WRITERS = STAFF


def transfer_reports_visible_to(user) -> QuerySet:
    """The bank transfers customers reported, with their proofs, that `user` may read (the
    pages and the proof download alike): contacts their own customer's, account managers
    their customers', finance and admins all; agents none (money is not theirs to read)."""
    from billing.models import BankTransferReport

    if not has_role(user, MONEY_READERS):
        return BankTransferReport.objects.none()
    return scope(BankTransferReport.objects.all(), user, roles=MONEY_READERS)


# Who registers webhook endpoints: admins (any customer, or all at once) and account
# managers (their customers' endpoints only).
WEBHOOK_MANAGERS = frozenset({Role.ADMIN, Role.MANAGER})


def webhook_endpoints_visible_to(user) -> QuerySet:
    from webhooks.models import WebhookEndpoint

    return scope(WebhookEndpoint.objects.all(), user, roles=WEBHOOK_MANAGERS)


# Who reads which knowledge-base articles: staff every published one; a contact those for
# everyone and those for their customer's live contract's plan; anyone else, signed in or
# not, those for everyone. The portal, the suggestions and the API pass this to
# `knowledge.selectors`; the agents' link picker passes what the ticket's customer reads
# (`knowledge_plan_of_customer`, the same rule).
def knowledge_plan_of(user):
    """The reader `knowledge.selectors` filters articles by: `ALL_PLANS`, a plan, or None."""
    from knowledge.selectors import ALL_PLANS

    if user is None or not user.is_authenticated:
        return None
    if has_role(user, STAFF):
        return ALL_PLANS
    contact = contact_of(user)
    if contact is None:
        return None
    return knowledge_plan_of_customer(contact.customer)


def knowledge_plan_of_customer(customer):
    """What `customer`'s contacts read: their live contract's plan, or None (articles for
    everyone only). The agents' link picker asks it for the ticket's customer, never the
    ticket's own contract, which may be cancelled or replaced since."""
    from contracts.selectors import contract_get_live

    contract = contract_get_live(customer=customer)
    return contract.plan if contract is not None else None


# Who answers "¿Fue útil?": readers. Staff preview articles (their views are not counted and
# the article page offers them no question), so their answers would count in the knowledge
# report as readers' ones. Through the API only contacts answer; the pages also take
# visitors not signed in (one answer per browser).
KNOWLEDGE_ANSWERERS = frozenset({Role.CONTACT})


def may_answer_articles(user) -> bool:
    """Whether `user` answers "¿Fue útil?" on the pages: a contact, or anyone but staff."""
    return has_role(user, KNOWLEDGE_ANSWERERS) or not has_role(user, STAFF)


# Quotes (issue 20): staff who work tickets draft and send them on the tickets they see
# (agents, account managers for their customers, admins); only the customer's own contacts
# accept or reject them. Who reads them: staff in scope (drafts included; finance too),
# contacts their own customer's sent ones.
QUOTE_AUTHORS = TICKET_STAFF
QUOTE_DECIDERS = frozenset({Role.CONTACT})


def quotes_visible_to(user) -> QuerySet:
    """The quotes `user` may read, for the API and every page and PDF alike; anything else
    is a 404, exactly like a missing id."""
    from quotes.models import Quote

    quotes = scope(Quote.objects.select_related("series", "customer", "ticket"), user)
    if not has_role(user, STAFF):
        quotes = quotes.exclude(status=Quote.Status.DRAFT)
    return quotes


# Activation tracking (seed 004): staff read the activations of the customers they see;
# account managers, finance and admins register a purchase; the staff who work tickets tick
# prerequisites and record a product active; account managers and admins edit the catalogue.
# Contacts read their own customer's.
ACTIVATION_SELLERS = frozenset({Role.ADMIN, Role.MANAGER, Role.FINANCE})
ACTIVATION_WORKERS = TICKET_STAFF
CATALOGUE_EDITORS = frozenset({Role.ADMIN, Role.MANAGER})


def activation_notes_visible_to(user) -> bool:
    """Whether `user` reads the notes staff write when they tick a prerequisite: staff do
    (the workspace and the API); a customer's contact reads the step, never the note (the
    portal and the API alike)."""
    return has_role(user, STAFF)


def activations_visible_to(user) -> QuerySet:
    """The activations `user` may read, for the API and every page alike; anything else is
    a 404, exactly like a missing id."""
    from activations.models import Activation

    return scope(Activation.objects.select_related("customer", "invoice", "product"), user)
