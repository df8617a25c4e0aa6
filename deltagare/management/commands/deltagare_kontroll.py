"""``manage.py deltagare_kontroll``: the invariant check and the access-log hash chain.
Exit status 1 when anything is wrong (for monitoring)."""

from django.core.management.base import BaseCommand, CommandError

from deltagare.selectors import atkomstlogg_verify_chain, invariant_violations
from forbund.models import Forbund


class Command(BaseCommand):
    help = "Kontrollerar att inga identiteter finns utan samtycke och att loggkedjan är hel."

    def handle(self, *args, **options):
        problems = {k: v for k, v in invariant_violations().items() if v}
        for forbund in Forbund.objects.order_by("pk"):
            broken = atkomstlogg_verify_chain(forbund_id=forbund.pk)
            if broken:
                problems[f"loggkedja {forbund.namn}"] = len(broken)
        if problems:
            for name, count in problems.items():
                self.stderr.write(f"{name}: {count}")
            raise CommandError("Kontrollen hittade fel.")
        self.stdout.write("Allt stämmer: inga identiteter utan samtycke, loggkedjan är hel.")
