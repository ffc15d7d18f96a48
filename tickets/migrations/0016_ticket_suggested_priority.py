"""`Ticket.suggested_priority`: the priority a customer suggests by e-mail (seed 003).

SQLite adds a NOT NULL column by rebuilding the table, which it refuses while the triggers
of 0013 on `sla_slaclock` name `tickets_ticket`: they are dropped around the rebuild and
written again (PostgreSQL adds the column in place and keeps them)."""

import importlib

from django.db import migrations, models

next_due = importlib.import_module("tickets.migrations.0013_ticket_next_due")


def sqlite_only(action):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "sqlite":
            action(apps, schema_editor)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0015_intake_attempt_message_en"),
    ]

    operations = [
        migrations.RunPython(
            sqlite_only(next_due.drop_triggers),
            sqlite_only(next_due.create_triggers),
            elidable=False,
        ),
        migrations.AddField(
            model_name="ticket",
            name="suggested_priority",
            field=models.CharField(
                blank=True,
                choices=[
                    ("p1", "P1 Crítica"),
                    ("p2", "P2 Alta"),
                    ("p3", "P3 Media"),
                    ("p4", "P4 Baja"),
                    ("planned", "Acordada / planificada"),
                ],
                max_length=8,
                verbose_name="prioridad sugerida",
            ),
        ),
        migrations.RunPython(
            sqlite_only(next_due.create_triggers),
            sqlite_only(next_due.drop_triggers),
            elidable=False,
        ),
    ]
