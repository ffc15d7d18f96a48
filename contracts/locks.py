"""The contracts app's row locks, in the one order every write takes them.

    customer -> contract -> plan
    customer -> contact

A customer row stands for everything the customer has signed: locking it first means two
writers on one customer's contracts (an account manager's status change, the nightly plan
changes, a suspension for overdue invoices) queue on one row and never wait on each other
in a cycle. The plan comes last because many contracts share it. Apps above (credits,
tickets, billing) never lock these rows inside their own transactions: contract changes
run in their own.
"""

from contracts.models import Contact, Contract, Customer, Plan


def customer_lock(pk: int) -> Customer:
    return Customer.objects.select_for_update().get(pk=pk)


def contract_lock(pk: int, *, customer_id: int) -> Contract:
    """The contract, after its customer (read with the contract, with the plan, unlocked)."""
    Customer.objects.select_for_update().only("pk").get(pk=customer_id)
    return (
        Contract.objects.select_for_update(of=("self",))
        .select_related("plan", "customer")
        .get(pk=pk)
    )


def plan_lock(pk: int) -> Plan:
    return Plan.objects.select_for_update().get(pk=pk)


def contact_lock(pk: int) -> Contact:
    """The contact (its portal login is made once, under this lock)."""
    return Contact.objects.select_for_update().get(pk=pk)
