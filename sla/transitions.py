"""Which clock actions each clock phase allows, as data.

The phase is the clock's mechanics (running, paused, stopped); the stored `state` adds the
outcome (met, breached), and an open clock past its due time is `breached` while its phase
is still running or paused. A clock whose priority has no target is `untimed`: it counts
no time, has no due time and stays out of compliance until a priority with targets
restarts it.
"""

from sla.exceptions import ClockTransitionNotAllowed
from sla.models import SlaClock

RUNNING, PAUSED, STOPPED, UNTIMED = "running", "paused", "stopped", "untimed"

ALLOWED: dict[str, set[str]] = {
    "pause": {RUNNING},
    "resume": {PAUSED},
    "stop": {RUNNING, PAUSED, UNTIMED},
    "reopen": {STOPPED},
    "retarget": {RUNNING, PAUSED, UNTIMED},
}


def phase(clock: SlaClock) -> str:
    if clock.stopped_at is not None:
        return STOPPED
    if clock.state == SlaClock.State.UNTIMED:
        return UNTIMED
    if clock.paused_at is not None:
        return PAUSED
    return RUNNING


def check(clock: SlaClock, action: str) -> None:
    if phase(clock) not in ALLOWED[action]:
        raise ClockTransitionNotAllowed(
            field="state", clock=clock.pk, action=action, state=clock.state
        )
    if action == "reopen" and clock.kind != SlaClock.Kind.RESOLUTION:
        raise ClockTransitionNotAllowed(
            field="kind", clock=clock.pk, action=action, state=clock.kind
        )
