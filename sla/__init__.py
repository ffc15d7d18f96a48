"""SLA engine: business calendars, business-time arithmetic, policies, clocks, monitor.

Depends on nothing else of ours. Interface for other apps (tickets, reports, API):

Business time (`sla.calendars`, pure, aware datetimes only)
    add_business_time(start, duration, calendar) -> datetime     # due time
    business_time_between(a, b, calendar) -> timedelta
    explain_due(start, duration, calendar, zone=None) -> Explanation  # .lines("es" | "en"),
                                                    # instants in zone (default: calendar's)
    add_business_time_many(starts, durations, calendar) -> np.ndarray (datetime64[us], UTC)
    sla.selectors.calendar_value(calendar_version) -> Calendar   # from the database

Priority (`sla.services`)
    priority_decide(*, policy_version, impact, urgency, override=None, reason="",
                    decided_by="") -> PriorityDecision  # store .priority, .computed, .reason
    # Plan.sla_policy is an SlaPolicy; policy_current_version(policy) gives its targets.

Clocks (`sla.services`; each call locks the clock row and returns the updated clock)
    clocks_start(*, subject, policy, priority, started_at, label="", notify_emails=())
        -> ClockPair(response, resolution)          # None where the priority has no target
    clock_pause(*, clock, at, note="")              # waiting on the customer
    clock_resume(*, clock, at, note="")             # customer replied: due moves
    clock_stop(*, clock, at, note="")               # response: first PUBLIC agent reply
                                                    # (never an internal note);
                                                    # resolution: ticket resolved
    clock_reopen(*, clock, at, note="")             # resolution clock only: new cycle,
                                                    # accumulated time kept
    clock_retarget(*, clock, at, policy_version=None, priority=None, note="")
                                                    # priority change / new policy version
    clock_set_recipients(*, clock, emails, label=None)  # assignee + account manager
    `subject` is an opaque key such as "ticket:42", unique per kind; tickets hold
    ForeignKeys/OneToOnes to the two SlaClock rows. Pause and resume both clocks of a
    ticket together.

Reading clocks (`sla.selectors`)
    clock_status(clock, now) -> ClockStatus(state, elapsed, remaining, percent_used, due_at,
                                            late_by)    # late_by: stopped breached clocks
    clock_explain(clock, language="es", zone=None) -> list[str]  # zone: the reader's
    sla_compliance(*, clocks: QuerySet[SlaClock]) -> Compliance  # filter to contract/period

Commands: `sla_monitor` (every minute; marks warnings/breaches, mails once),
`sla_reapply --policy SLUG --calendar SLUG` (move open clocks to current versions).
"""
