"""``manage.py demo``: load the demo data once (idempotent)."""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from finsam.demo import DemoContext, seed_users

# Data flows one way (forbund ← insatser ← deltagare ← uppfoljning): seed in that order.
SEED_ORDER = ["forbund", "users", "insatser", "deltagare", "uppfoljning"]


class Command(BaseCommand):
    help = "Läser in demodata (ett påhittat förbund och användare för varje roll); idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--utan-rapporter",
            action="store_true",
            dest="utan_rapporter",
            help="Skapa inga färdiga demorapporter (snabbare, t.ex. i tester).",
        )

    def handle(self, *args, **options):
        ctx = DemoContext()
        ctx.with_reports = not options.get("utan_rapporter", False)
        with transaction.atomic():
            for step in SEED_ORDER:
                if step == "users":
                    seed_users(ctx)
                    continue
                try:
                    module = import_module(f"{step}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{step}.demo":
                        raise
                    continue
                module.seed(ctx)
        if ctx.log:
            self.stdout.write("Demodata skapad: " + ", ".join(ctx.log))
        else:
            self.stdout.write("Demodata fanns redan; inget ändrat.")
