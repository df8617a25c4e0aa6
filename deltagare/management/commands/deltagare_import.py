"""``manage.py deltagare_import FIL --forbund NAMN --anvandare ANVÄNDARNAMN [--provkor]``

The same code as the browser import (``deltagare.importer``): validate everything, then import
all rows or none. The user must be a handläggare or insatsansvarig in the förbund; only the
insatser that user works in (and whose controller employs them) can be imported into.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from deltagare.importer import import_file
from deltagare.selectors import insatser_for_staff
from finsam.models import Roll, User
from finsam.roles import PARTICIPANT_ROLES
from forbund.models import Forbund
from insatser.models import Insats


class Command(BaseCommand):
    help = "Importerar deltaganden från CSV/Excel (allt eller inget)."

    def add_arguments(self, parser):
        parser.add_argument("fil", type=Path)
        parser.add_argument("--forbund", required=True, help="Förbundets namn eller uuid.")
        parser.add_argument("--anvandare", required=True, help="Användarnamn som registrerar.")
        parser.add_argument("--provkor", action="store_true", help="Kontrollera bara.")

    def handle(self, *args, fil: Path, forbund: str, anvandare: str, provkor: bool, **options):
        forbund_obj = Forbund.objects.filter(namn=forbund).first()
        if forbund_obj is None:
            try:
                forbund_obj = Forbund.objects.filter(uuid=forbund).first()
            except Exception:  # noqa: BLE001 - not a uuid either
                forbund_obj = None
        if forbund_obj is None:
            raise CommandError("Förbundet finns inte.")
        user = User.objects.filter(username=anvandare, is_active=True).first()
        if user is None:
            raise CommandError("Användaren finns inte.")
        medlem_ids = set(
            Roll.objects.active()
            .filter(user=user, forbund=forbund_obj, roll__in=PARTICIPANT_ROLES)
            .exclude(medlem=None)
            .values_list("medlem_id", flat=True)
        )
        if not medlem_ids:
            raise CommandError("Användaren är inte handläggare eller insatsansvarig i förbundet.")
        ids = insatser_for_staff(forbund=forbund_obj, user=user, medlem_ids=medlem_ids)
        try:
            content = fil.read_bytes()
        except OSError as exc:
            raise CommandError(f"Filen kan inte läsas: {exc.strerror}") from None
        result = import_file(
            content=content,
            filename=fil.name,
            forbund=forbund_obj,
            user=user,
            insatser=Insats.objects.filter(pk__in=ids),
            dry_run=provkor,
        )
        if result.errors:
            for e in result.errors:
                self.stderr.write(f"Rad {e.rad}, kolumn {e.kolumn or '–'}: {e.fel}")
            raise CommandError(f"{len(result.errors)} fel; ingenting importerades.")
        if provkor:
            self.stdout.write(f"Filen är felfri: {result.rows} rader. Ingenting sparades.")
        else:
            self.stdout.write(f"{result.imported} deltaganden importerade.")
