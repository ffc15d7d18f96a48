"""`manage.py load_presets [name...]`: the seed documents as configuration (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from contracts.presets import PRESETS, load


class Command(BaseCommand):
    help = "Carga los presets de los documentos semilla (todos si no se nombra ninguno)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("names", nargs="*", help=f"any of: {', '.join(PRESETS)}")

    def handle(self, *args, names: list[str], **options) -> None:
        try:
            loaded = load(names)
        except KeyError as error:
            raise CommandError(f"Unknown preset(s): {error.args[0]}") from error
        for name in loaded:
            self.stdout.write(f"preset {name}: loaded")
