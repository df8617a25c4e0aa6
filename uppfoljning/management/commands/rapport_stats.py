"""``manage.py rapport_stats``: a report's statistics as JSON (the snapshot a Rapport stores)."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from forbund.models import Forbund
from uppfoljning.masking import mask_snapshot
from uppfoljning.stats import Period, build_snapshot, full_year, half_year


class Command(BaseCommand):
    help = "Skriver ut statistiken för en rapport som JSON (samma nycklar som rapportens snapshot)."

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--forbund", help="Förbundets namn eller UUID.")
        scope.add_argument("--nationell", action="store_true", help="Alla förbund.")
        parser.add_argument("--typ", choices=["halvar", "helar", "egen"], default="helar")
        parser.add_argument("--ar", type=int, help="År för halvårs- och årsrapport.")
        parser.add_argument("--fran", type=dt.date.fromisoformat, help="Egen period: från.")
        parser.add_argument("--till", type=dt.date.fromisoformat, help="Egen period: till.")
        parser.add_argument("--maskerad", action="store_true", help="Maskera antal under 5.")

    def handle(self, *args, **options):
        forbund = None
        if options["forbund"]:
            key = options["forbund"]
            qs = Forbund.objects.filter(namn=key)
            if not qs.exists():
                try:
                    qs = Forbund.objects.filter(uuid=key)
                    qs.exists()
                except Exception as exc:  # noqa: BLE001 - not a UUID either
                    raise CommandError(f"Hittar inget förbund {key!r}.") from exc
            forbund = qs.first()
            if forbund is None:
                raise CommandError(f"Hittar inget förbund {key!r}.")
        if options["typ"] == "egen":
            if not (options["fran"] and options["till"]):
                raise CommandError("Egen period kräver --fran och --till.")
            try:
                period = Period(options["fran"], options["till"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        else:
            if not options["ar"]:
                raise CommandError("Ange --ar.")
            period = (
                half_year(options["ar"]) if options["typ"] == "halvar" else full_year(options["ar"])
            )
        snapshot = build_snapshot(forbund=forbund, period=period)
        if options["maskerad"]:
            snapshot = mask_snapshot(snapshot)
        self.stdout.write(json.dumps(snapshot, ensure_ascii=False, indent=2))
