"""The status page's row locks, in the one order its writes take them.

    incident -> its update -> a linked ticket (taken inside `tickets`, through
    `tickets.services.lifecycle.ticket_agent_reply`) -> nothing of credits

Posting an update locks its incident, so two staff members updating one incident queue and
the incident's state always follows its last update. Linking a ticket locks the incident too,
so no link is added once it is resolved. Sending an update to the linked tickets locks its
incident (only the latest update is sent, and none is posted meanwhile), then the update: two
sends of one update queue, and the second finds every ticket already told
(`IncidentUpdateMessage`).
"""

from statuspage.models import Incident, IncidentUpdate, Maintenance


def incident_lock(pk: int) -> Incident:
    return Incident.objects.select_for_update().get(pk=pk)


def update_lock(pk: int) -> IncidentUpdate:
    return IncidentUpdate.objects.select_for_update().get(pk=pk)


def maintenance_lock(pk: int) -> Maintenance:
    return Maintenance.objects.select_for_update().get(pk=pk)
