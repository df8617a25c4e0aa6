"""``manage.py bench_data``: fill the (bench) database with national-scale data, by seed."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Fyller databasen med benchmarkdata (förbund, insatser, deltaganden). Tömmer först "
        "förbund, användare och allt som hör till dem: bara för en benchmarkdatabas."
    )

    def add_arguments(self, parser):
        from bench.generator import LARGE_FORBUND, MEDIUM_FORBUND

        parser.add_argument("--forbund", type=int, default=72)
        parser.add_argument("--deltaganden", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--stor-forbund-deltaganden", type=int, default=LARGE_FORBUND)
        parser.add_argument("--medel-forbund-deltaganden", type=int, default=MEDIUM_FORBUND)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Tillåt att befintliga förbund och användare tas bort.",
        )

    def handle(self, *args, **options):
        from django.core.management import call_command

        from bench.generator import Params, generate
        from finsam.launcher import ensure_database
        from forbund.models import Forbund

        name = settings.DATABASES["default"]["NAME"]
        ensure_database(settings.DATABASE_URL)
        call_command("migrate", verbosity=0)
        if Forbund.objects.exists() and not options["reset"]:
            raise CommandError(
                f"Databasen {name} har redan förbund. Kör med --reset för att ersätta allt."
            )
        if options["forbund"] < 1 or options["deltaganden"] < options["forbund"]:
            raise CommandError("Minst ett förbund och minst ett deltagande per förbund.")
        params = Params(
            forbund=options["forbund"],
            deltaganden=options["deltaganden"],
            seed=options["seed"],
            stor_forbund_deltaganden=options["stor_forbund_deltaganden"],
            medel_forbund_deltaganden=options["medel_forbund_deltaganden"],
        )
        result = generate(params, log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"Klart på {result.seconds} s i {name}: "
                + ", ".join(f"{k} {v:,}" for k, v in result.counts.items())
            )
        )
