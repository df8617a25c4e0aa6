"""Backup and restore for real: pg_dump into a folder, restore into a fresh database and a fresh
media folder, and find every row and file again."""

import datetime as dt
import hashlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from finsam.backup import BackupError, table_counts
from tests.factories import InsatsFactory, forbund_with_members
from tests.worker import live_database_url
from uppfoljning.models import RapportTyp
from uppfoljning.services import rapport_build, rapport_order
from uppfoljning.stats import half_year

BASE_DIR = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_backup_then_restore_into_a_fresh_database_finds_every_row_and_file(
    transactional_db, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    forbund = forbund_with_members()
    InsatsFactory.create_batch(
        3, status="PAGAENDE", forbund=forbund, startdatum=dt.date(2025, 1, 1)
    )
    rapport = rapport_order(
        forbund=forbund, user=None, typ=RapportTyp.HALVAR, period=half_year(2025)
    )
    rapport_build(rapport_id=rapport.pk)
    rapport.refresh_from_db()
    original_counts = table_counts()
    pdf_sha = rapport.pdf_sha256

    call_command("backup", str(tmp_path / "backups"))
    folder = next((tmp_path / "backups").iterdir())
    assert (folder / "database.dump").stat().st_size > 0

    fresh = f"finsam_restore_{uuid.uuid4().hex[:8]}"
    cfg = connection.settings_dict
    admin = {"host": cfg["HOST"] or None, "port": cfg["PORT"] or None, "user": cfg["USER"]}
    admin = {k: v for k, v in admin.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'CREATE DATABASE "{fresh}"')
    try:
        url = live_database_url().rsplit("/", 1)[0] + f"/{fresh}"
        restored_media = tmp_path / "restored-media"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": url,
            "MEDIA_ROOT": str(restored_media),
        }
        result = subprocess.run(
            [sys.executable, "manage.py", "restore", str(folder), "--yes"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        with psycopg.connect(dbname=fresh, **admin) as conn:
            for table, count in original_counts.items():
                restored = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
                assert restored == count, table
        relative = Path(rapport.pdf.name)
        restored_pdf = restored_media / relative
        assert hashlib.sha256(restored_pdf.read_bytes()).hexdigest() == pdf_sha
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


def test_restore_refuses_a_damaged_backup(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("backup", str(tmp_path / "b"))
    folder = next((tmp_path / "b").iterdir())
    with (folder / "database.dump").open("ab") as handle:
        handle.write(b"skada")
    from finsam.backup import backup_restore

    with pytest.raises(BackupError, match="Kontrollsumman"):
        backup_restore(source_dir=folder)


def test_restore_requires_confirmation(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path))
