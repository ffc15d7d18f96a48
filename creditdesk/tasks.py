"""The top layer's background tasks: the month's SLA compliance report mailed to the
customer (`creditdesk.reports.mailing`)."""

from background.queue import background_task


@background_task
def send_sla_report(contract_id: int, month: str) -> int:
    from creditdesk.reports import mailing

    return mailing.send_sla_report(contract_id, month)
