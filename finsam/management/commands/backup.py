from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finsam.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Säkerhetskopierar databasen (pg_dump, eget format) och uppladdade filer till en mapp."

    def add_arguments(self, parser):
        parser.add_argument("target", help="Mapp där säkerhetskopian skapas.")

    def handle(self, *args, **options):
        try:
            folder = backup_create(target_dir=Path(options["target"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Säkerhetskopia skapad: {folder}")
