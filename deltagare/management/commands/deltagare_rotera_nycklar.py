"""``manage.py deltagare_rotera_nycklar``: re-encrypt every identity and consent document under
the first key of ``FIELD_ENCRYPTION_KEY`` and recompute lookup hashes under the first key of
``PERSONNUMMER_HMAC_KEY``. Run after putting a new key first; then the old key can go."""

from django.core.management.base import BaseCommand
from django.db import transaction

from deltagare import crypto
from deltagare.models import Person, Samtycke


class Command(BaseCommand):
    help = "Krypterar om identiteter med den nya nyckeln (nyckelbyte)."

    def handle(self, *args, **options):
        persons = documents = 0
        with transaction.atomic():
            for person in Person.objects.select_for_update().iterator():
                pnr = crypto.decrypt_text(person.personnummer_krypterat)
                person.personnummer_krypterat = crypto.rotate_text(person.personnummer_krypterat)
                person.namn_krypterat = crypto.rotate_text(person.namn_krypterat)
                person.personnummer_hash = crypto.lookup_hash(pnr)
                person.save(
                    update_fields=["personnummer_krypterat", "namn_krypterat", "personnummer_hash"]
                )
                persons += 1
            for samtycke in Samtycke.objects.select_for_update().exclude(dokument_krypterat=None):
                samtycke.dokument_krypterat = crypto.rotate_bytes(samtycke.dokument_krypterat)
                samtycke.save(update_fields=["dokument_krypterat"])
                documents += 1
        self.stdout.write(f"Omkrypterat: {persons} personer, {documents} samtyckesdokument.")
