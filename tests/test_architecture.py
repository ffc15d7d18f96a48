"""docs/architecture.md stays true: every app of ours is in its table, the layers it draws
are the ones import-linter enforces (pyproject.toml), and rows are locked only through an
app's `locks.py`."""

import ast
import re
import tomllib
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text()


def _top_packages_of_our_apps() -> set[str]:
    ours = set()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(ROOT) and not path.relative_to(ROOT).parts[0].startswith("."):
            ours.add(config.name.split(".")[0])
    return ours


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return contract["layers"]


def _table_apps() -> set[str]:
    section = ARCHITECTURE.split("## Apps", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE))


def test_every_app_is_in_the_architecture_table():
    missing = (_top_packages_of_our_apps() | {"core"}) - _table_apps()

    assert not missing, f"add these apps to docs/architecture.md's table: {sorted(missing)}"


def test_every_layered_package_is_an_app_in_the_table():
    layered = {name.strip() for layer in _layers() for name in layer.split("|")}

    assert layered == _table_apps()


def test_the_drawn_layers_are_the_enforced_ones():
    drawing = ARCHITECTURE.split("## Layers", 1)[1].split("```")[1]
    drawn = [
        " | ".join(name.strip() for name in line.split("  ")[0].split("|"))
        for line in drawing.strip().splitlines()
    ]

    assert drawn == [" | ".join(n.strip() for n in layer.split("|")) for layer in _layers()]


def test_rows_are_locked_only_through_an_apps_locks_module():
    """docs/style.md: no service calls `select_for_update()` itself; each app's `locks.py`
    states its one lock order, which holds only if every lock is taken there."""
    callers = []
    for package in sorted(_top_packages_of_our_apps() | {"core"}):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name == "locks.py" or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Attribute) and node.attr == "select_for_update":
                    callers.append(f"{path.relative_to(ROOT)}:{node.lineno}")

    assert not callers, f"lock through the app's locks.py: {callers}"
