"""Whether the browser tests can run here: Debian's Chromium and axe-core from npm.

On a developer's fresh clone either may be missing; the browser tests are then skipped with
the command that installs what is missing. Where `CI` is set (bash .ci/run sets it) they
are mandatory: a missing tool fails them, so CI never passes without its browser tests.
"""

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


def browser_tests_decision(*, missing: list[str], ci: bool) -> Decision:
    """What to do with the browser tests, given the missing tools and whether this is CI."""
    if not missing:
        return Decision("run")
    commands = "; ".join(f"{tool}: {INSTALL[tool]}" for tool in missing)
    reason = f"browser tests need {', '.join(missing)} ({commands}; bash .ci/run installs both)"
    return Decision("fail" if ci else "skip", reason)


def missing_tools() -> list[str]:
    found = {"chromium": CHROMIUM.exists(), "axe-core": AXE.exists()}
    return [tool for tool, present in found.items() if not present]
