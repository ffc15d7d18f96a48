"""Every write of the SLA app. `setup` publishes calendars and policies and decides
priority; `clocks` runs clock transitions; `monitor` marks warnings and breaches."""

from sla.services.clocks import (
    ClockPair,
    ReapplyResult,
    clock_pause,
    clock_reopen,
    clock_resume,
    clock_retarget,
    clock_set_recipients,
    clock_start,
    clock_stop,
    clocks_reapply,
    clocks_start,
)
from sla.services.monitor import MonitorResult, sla_monitor_run
from sla.services.setup import (
    DEFAULT_PRIORITY_MATRIX,
    LevelSpec,
    PriorityDecision,
    StepSpec,
    TargetSpec,
    calendar_publish,
    policy_publish,
    priority_decide,
)

__all__ = [
    "DEFAULT_PRIORITY_MATRIX",
    "ClockPair",
    "LevelSpec",
    "MonitorResult",
    "PriorityDecision",
    "ReapplyResult",
    "StepSpec",
    "TargetSpec",
    "calendar_publish",
    "clock_pause",
    "clock_reopen",
    "clock_resume",
    "clock_retarget",
    "clock_set_recipients",
    "clock_start",
    "clock_stop",
    "clocks_reapply",
    "clocks_start",
    "policy_publish",
    "priority_decide",
    "sla_monitor_run",
]
