"""An incident's states as data: any open state may follow any other (a fix that does not
hold goes from monitoring back to identified), and resolved is final (a problem that comes
back is a new incident, so the history keeps both)."""

from statuspage.exceptions import IncidentResolved
from statuspage.models import Incident, State

OPEN_STATES = frozenset({State.INVESTIGATING, State.IDENTIFIED, State.MONITORING})
ALLOWED: dict[str, frozenset[str]] = {
    **{state: frozenset(State) for state in OPEN_STATES},
    State.RESOLVED: frozenset(),
}


def check_update(incident: Incident, to_state: str) -> None:
    if to_state not in ALLOWED[incident.state]:
        raise IncidentResolved(field="state", title=incident.title)
