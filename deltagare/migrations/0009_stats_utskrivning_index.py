# The report statistics read a förbund's participations by utskrivning (active in, ended in a
# period; follow-up points): see uppfoljning/stats/deltagare.py and docs/performance.md.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deltagare", "0008_dataandring"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="deltagande",
            index=models.Index(fields=["forbund", "utskrivning"], name="deltagande_utskrivning"),
        ),
    ]
