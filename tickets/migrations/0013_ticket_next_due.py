"""`Ticket.next_due_at`: the earliest due time of the ticket's open SLA clocks, kept by the
database.

The queue ordered every open ticket by a subquery on its clocks (63 ms for 10,728 open
tickets, bench/README.md run K); stored on the ticket and indexed, its first page is the
index's first entries. Triggers on `sla_slaclock` write it, so every clock write does: the
tickets' own transitions, `sla_reapply` going straight through sla, and bulk inserts. The
sla app still knows nothing of tickets: these triggers belong to tickets.

On PostgreSQL the trigger locks the ticket row before it reads the clocks, in a statement of
its own: two transactions moving two clocks of one ticket then each read the other's
committed change, and the last to write sees both.
"""

from django.db import migrations, models

POSTGRESQL_TRIGGERS = [
    """
CREATE FUNCTION tickets_next_due_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    clock_subject text;
    ticket_id bigint;
    due timestamptz;
BEGIN
    IF TG_OP = 'DELETE' THEN
        clock_subject := OLD.subject;
        ticket_id := OLD.subject_number;
    ELSE
        clock_subject := NEW.subject;
        ticket_id := NEW.subject_number;
    END IF;
    IF ticket_id IS NULL OR substr(clock_subject, 1, 7) <> 'ticket:' THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM tickets_ticket WHERE id = ticket_id FOR UPDATE;
    due := (SELECT min(due_at) FROM sla_slaclock
            WHERE subject = clock_subject AND stopped_at IS NULL AND due_at IS NOT NULL);
    UPDATE tickets_ticket SET next_due_at = due
        WHERE id = ticket_id AND next_due_at IS DISTINCT FROM due;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER tickets_next_due_on_clock_write AFTER INSERT OR DELETE ON sla_slaclock"
    " FOR EACH ROW EXECUTE FUNCTION tickets_next_due_refresh()",
    "CREATE TRIGGER tickets_next_due_on_clock_move AFTER UPDATE OF due_at, stopped_at"
    " ON sla_slaclock FOR EACH ROW"
    " WHEN (OLD.due_at IS DISTINCT FROM NEW.due_at"
    " OR OLD.stopped_at IS DISTINCT FROM NEW.stopped_at)"
    " EXECUTE FUNCTION tickets_next_due_refresh()",
]

POSTGRESQL_DROP = [
    "DROP TRIGGER tickets_next_due_on_clock_move ON sla_slaclock",
    "DROP TRIGGER tickets_next_due_on_clock_write ON sla_slaclock",
    "DROP FUNCTION tickets_next_due_refresh()",
]


def _sqlite_trigger(name: str, event: str, row: str, condition: str = "") -> str:
    refresh = (
        "SELECT min(due_at) FROM sla_slaclock"  # noqa: S608  # constant text, no input
        f" WHERE subject = {row}.subject AND stopped_at IS NULL AND due_at IS NOT NULL"
    )
    return (
        f"CREATE TRIGGER {name} AFTER {event} ON sla_slaclock FOR EACH ROW"  # noqa: S608
        f" WHEN substr({row}.subject, 1, 7) = 'ticket:' AND {row}.subject_number IS NOT NULL"
        f" {condition}"
        f" BEGIN UPDATE tickets_ticket SET next_due_at = ({refresh})"
        f" WHERE id = {row}.subject_number; END"
    )


SQLITE_TRIGGERS = {
    "tickets_next_due_on_clock_insert": ("INSERT", "NEW", ""),
    "tickets_next_due_on_clock_delete": ("DELETE", "OLD", ""),
    "tickets_next_due_on_clock_move": (
        "UPDATE OF due_at, stopped_at",
        "NEW",
        "AND (OLD.due_at IS NOT NEW.due_at OR OLD.stopped_at IS NOT NEW.stopped_at)",
    ),
}

BACKFILL = (
    "UPDATE tickets_ticket SET next_due_at = ("
    "SELECT min(c.due_at) FROM sla_slaclock c WHERE c.subject_number = tickets_ticket.id"
    " AND substr(c.subject, 1, 7) = 'ticket:' AND c.stopped_at IS NULL"
    " AND c.due_at IS NOT NULL)"
    " WHERE id IN (SELECT subject_number FROM sla_slaclock WHERE substr(subject, 1, 7) = 'ticket:'"
    " AND stopped_at IS NULL AND due_at IS NOT NULL)"
)


def create_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        statements = POSTGRESQL_TRIGGERS
    else:
        statements = [_sqlite_trigger(name, *how) for name, how in SQLITE_TRIGGERS.items()]
    for statement in [*statements, BACKFILL]:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        statements = POSTGRESQL_DROP
    else:
        statements = [f"DROP TRIGGER {name}" for name in SQLITE_TRIGGERS]
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0005_clock_subject_number"),
        ("tickets", "0012_ticket_open_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="next_due_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="próximo vencimiento"
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ["abandoned", "closed", "resolved"]), _negated=True
                ),
                fields=["next_due_at", "opened_at", "id"],
                name="tickets_open_due",
            ),
        ),
        migrations.RemoveIndex(model_name="ticket", name="tickets_open"),
    ]
