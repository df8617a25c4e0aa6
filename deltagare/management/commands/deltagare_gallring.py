"""``manage.py deltagare_gallring``: run the gallring now (the same service as the beat task)."""

from django.core.management.base import BaseCommand

from deltagare.services import gallring_run


class Command(BaseCommand):
    help = "Gallrar identiteter vars senaste deltagande avslutades för länge sedan."

    def handle(self, *args, **options):
        result = gallring_run()
        self.stdout.write(
            f"Gallring: {result.persons} personer, {result.deltaganden} deltaganden anonymiserade."
        )
        for namn, n in sorted(result.per_forbund.items()):
            self.stdout.write(f"  {namn}: {n}")
