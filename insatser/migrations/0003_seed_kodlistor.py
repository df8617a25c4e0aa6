"""Seed the code lists of design section 5 (insatser/reference.py)."""

from django.db import migrations

from insatser.reference import kodlistor_load


def seed(apps, schema_editor):
    kodlistor_load(
        apps.get_model("insatser", "Kategori"),
        apps.get_model("insatser", "Malgrupp"),
        apps.get_model("insatser", "Metod"),
    )


class Migration(migrations.Migration):
    dependencies = [("insatser", "0002_insats_registry")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
