"""docs/architecture.md stays true: every app of ours is in its table, and the layers it
draws are the ones import-linter enforces (pyproject.toml)."""

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
