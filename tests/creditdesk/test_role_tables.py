"""Every role table lives in `creditdesk.roles`: an entry point that keeps its own set of
roles is a second place for a rule the API, the pages and the templates must share."""

import ast
from pathlib import Path

from creditdesk.roles import SUBSCRIPTION_STAFF, Role

ROOT = Path(__file__).resolve().parents[2] / "creditdesk"


def _role_tables_outside_roles() -> list[str]:
    found = []
    for path in ROOT.rglob("*.py"):
        if path.name == "roles.py" and path.parent == ROOT:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.Assign | ast.AnnAssign):
                continue
            value = node.value
            if (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Name)
                and value.func.id == "frozenset"
                and "Role." in ast.unparse(value)
            ):
                found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    return found


def test_no_entry_point_defines_a_role_table_of_its_own():
    assert _role_tables_outside_roles() == []


def test_subscriptions_are_changed_by_account_managers_and_admins():
    assert frozenset({Role.MANAGER, Role.ADMIN}) == SUBSCRIPTION_STAFF
