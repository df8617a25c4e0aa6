from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finsam.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Återställer en säkerhetskopia (från backup) till den konfigurerade databasen."

    def add_arguments(self, parser):
        parser.add_argument("source", help="Mappen som backup skapade.")
        parser.add_argument(
            "--yes", action="store_true", help="Bekräfta att databasens innehåll ersätts."
        )

    def handle(self, *args, **options):
        if not options["yes"]:
            raise CommandError("Återställning ersätter databasens innehåll. Lägg till --yes.")
        try:
            manifest = backup_restore(source_dir=Path(options["source"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        tables = sum(manifest["tables"].values())
        self.stdout.write(f"Återställt: {tables} rader från {manifest['created_at']}.")
