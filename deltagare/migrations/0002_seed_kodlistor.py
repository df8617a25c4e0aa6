"""Seed the code lists of design section 5 (stable codes, Swedish labels)."""

from django.db import migrations

from deltagare import kodlistor


def seed(apps, schema_editor):
    kodlistor.load(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("deltagare", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
