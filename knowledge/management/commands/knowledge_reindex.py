"""`manage.py knowledge_reindex`: rebuild the search index from the articles.

On SQLite it (re)creates the FTS5 table and its triggers and refills it: run it after a
migration that rebuilt `knowledge_article` (which drops the triggers), or after restoring a
database without them. PostgreSQL's indexes follow the rows by themselves: nothing to do.
"""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from knowledge import search


class Command(BaseCommand):
    help = "Reconstruye el índice de búsqueda de la base de conocimiento (SQLite)."

    def handle(self, *args, **options) -> None:
        if connection.vendor != "sqlite":
            self.stdout.write("PostgreSQL: los índices siguen a los artículos; nada que hacer.")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            search.sqlite_install(cursor)
        self.stdout.write("índice de búsqueda reconstruido")
