"""Indexes for the participant pages (docs/performance.md, section 3).

* ``samtycke_giltig``: the consents that have an end date, few, as a small partial index; the
  reminder counts and the participant list join a participation's consent through it.
* ``dataandring_senaste`` (förbund, insats, xid): the reminder cache's check reads only the
  change rows at or after a cached snapshot's xmin.
* The single-column indexes on deltagande's code-list columns (each with its
  ``varchar_pattern_ops`` twin), the second index on ``deltagande.person_id``
  (``deltagande_person`` is the same column) and the index on ``forsorjning.kalla_id`` go: no
  query used them (0 scans in pg_stat_user_indexes on the benchmark database, which runs the
  lists, the registrations and the reports), and every registration maintained them.

Only the indexes are dropped (``SeparateDatabaseAndState``): Django's AlterField would also drop
and re-add each foreign key, validating every row again. The names are the ones Django gave
(deterministic); reversing recreates the same indexes.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column, Django's index name, with a varchar_pattern_ops twin)
DROPPED = [
    (
        "deltagare_deltagande",
        "anvisande_part_id",
        "deltagare_deltagande_anvisande_part_id_8d741ca7",
        True,
    ),
    (
        "deltagare_deltagande",
        "avslutsorsak_id",
        "deltagare_deltagande_avslutsorsak_id_e9ad910b",
        True,
    ),
    ("deltagare_deltagande", "kon_id", "deltagare_deltagande_kon_id_69c5bc51", True),
    ("deltagare_deltagande", "person_id", "deltagare_deltagande_person_id_51628640", False),
    (
        "deltagare_deltagande",
        "sysselsattning_efter_id",
        "deltagare_deltagande_sysselsattning_efter_id_7086df5e",
        True,
    ),
    (
        "deltagare_deltagande",
        "sysselsattning_fore_id",
        "deltagare_deltagande_sysselsattning_fore_id_6b9a3cae",
        True,
    ),
    (
        "deltagare_deltagande",
        "tid_offentlig_forsorjning_id",
        "deltagare_deltagande_tid_offentlig_forsorjning_id_06931f82",
        True,
    ),
    ("deltagare_deltagande", "utbildning_id", "deltagare_deltagande_utbildning_id_aef2cfe9", True),
    ("deltagare_forsorjning", "kalla_id", "deltagare_forsorjning_kalla_id_99493446", True),
]


def _drop_sql():
    names = [name for _t, _c, name, _like in DROPPED]
    names += [f"{name}_like" for _t, _c, name, like in DROPPED if like]
    return [f'DROP INDEX IF EXISTS "{name}";' for name in names]


def _create_sql():
    sql = [
        f'CREATE INDEX "{name}" ON "{table}" ("{column}");' for table, column, name, _l in DROPPED
    ]
    sql += [
        f'CREATE INDEX "{name}_like" ON "{table}" ("{column}" varchar_pattern_ops);'
        for table, column, name, like in DROPPED
        if like
    ]
    return sql


class Migration(migrations.Migration):
    dependencies = [
        ("deltagare", "0009_stats_utskrivning_index"),
        ("forbund", "0006_audit_trail"),
        ("insatser", "0004_audit_trail"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="deltagande",
                    name="anvisande_part",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="deltagare.anvisandepart",
                        verbose_name="anvisande part",
                    ),
                ),
                migrations.AlterField(
                    model_name="deltagande",
                    name="avslutsorsak",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="deltagare.avslutsorsak",
                        verbose_name="avslutsorsak",
                    ),
                ),
                migrations.AlterField(
                    model_name="deltagande",
                    name="kon",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="deltagare.kon",
                        verbose_name="kön",
                    ),
                ),
                migrations.AlterField(
                    model_name="deltagande",
                    name="person",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deltaganden",
                        to="deltagare.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="deltagande",
                    name="sysselsattning_efter",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="deltagare.sysselsattning",
                        verbose_name="sysselsättning efter",
                    ),
                ),
                migrations.AlterField(
                    model_name="deltagande",
                    name="sysselsattning_fore",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="deltagare.sysselsattning",
                        verbose_name="sysselsättning före",
                    ),
                ),
                migrations.AlterField(
                    model_name="deltagande",
                    name="tid_offentlig_forsorjning",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="deltagare.tidoffentligforsorjning",
                        verbose_name="tid i offentlig försörjning",
                    ),
                ),
                migrations.AlterField(
                    model_name="deltagande",
                    name="utbildning",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="deltagare.utbildningsniva",
                        verbose_name="utbildningsnivå",
                    ),
                ),
                migrations.AlterField(
                    model_name="forsorjning",
                    name="kalla",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="deltagare.forsorjningskalla",
                        verbose_name="försörjningskälla",
                    ),
                ),
            ],
            database_operations=[migrations.RunSQL(_drop_sql(), _create_sql())],
        ),
        migrations.AddIndex(
            model_name="samtycke",
            index=models.Index(
                condition=models.Q(("giltig_till__isnull", False)),
                fields=["id"],
                include=("giltig_till",),
                name="samtycke_giltig",
            ),
        ),
        migrations.AddIndex(
            model_name="dataandring",
            index=models.Index(fields=["forbund", "insats", "xid"], name="dataandring_senaste"),
        ),
    ]
