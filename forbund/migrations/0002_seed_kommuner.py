"""Seed the 290 kommuner (kommunkod, län) from forbund/data/kommuner.csv."""

from django.db import migrations

from forbund.reference import kommuner_load


def seed(apps, schema_editor):
    kommuner_load(apps.get_model("forbund", "Kommun"))


def unseed(apps, schema_editor):
    apps.get_model("forbund", "Kommun").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("forbund", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
