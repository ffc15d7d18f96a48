"""Whether the browser tests can run here: Debian's Chromium and axe-core from npm.

On a developer's fresh clone either may be missing; the browser tests are then skipped with
the command that installs what is missing. Where `CI` is set (bash .ci/run sets it) they
are mandatory: a missing tool fails them, so CI never passes without its browser tests.

CI runs the suite on SQLite and on PostgreSQL side by side on two cores. A browser test
checks what a page looks like and whether it is accessible, which the database does not
change, while Chromium costs as much CPU as the rest of a test; so `.ci/run` names the one
database they run on (`BROWSER_TESTS_DATABASE=sqlite`) and the other run skips them, saying
why. The pages' behaviour on PostgreSQL is still tested there through Django's test client.
"""

import os
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
INSTALL = {
    "chromium": "apt-get install chromium",
    "axe-core": "npm ci --prefix tests/web",
}


@dataclass(frozen=True)
class Decision:
    action: str  # "run", "skip" or "fail"
    reason: str = ""


def browser_tests_decision(
    *, missing: list[str], ci: bool, database: str = "", only_on: str = ""
) -> Decision:
    """What to do with the browser tests, given the missing tools, whether this is CI, the
    test database's vendor and the one vendor they run on (`only_on`, empty: every one)."""
    if only_on and database != only_on:
        return Decision("skip", f"browser tests run once, on the {only_on} run of the suite")
    if not missing:
        return Decision("run")
    commands = "; ".join(f"{tool}: {INSTALL[tool]}" for tool in missing)
    reason = f"browser tests need {', '.join(missing)} ({commands}; bash .ci/run installs both)"
    return Decision("fail" if ci else "skip", reason)


def only_on_database() -> str:
    return os.environ.get("BROWSER_TESTS_DATABASE", "")


def missing_tools() -> list[str]:
    found = {"chromium": CHROMIUM.exists(), "axe-core": AXE.exists()}
    return [tool for tool, present in found.items() if not present]
