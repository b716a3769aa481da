"""Backup and restore of a whole deployment: the database and the uploaded files in one archive.

The archive (tar.gz) holds `manifest.json`, the database (PostgreSQL: `pg_dump --format=custom`;
SQLite: a copy by SQLite's backup API) and MEDIA_ROOT under `media/`. The manifest records when,
the applied migrations, every table's row count, a SHA-256 of every file and a fingerprint of
each append-only table's rows (audit trail, ledger, …). A restore goes into an empty database
only and checks all of it: same counts, same fingerprints, same files, and the append-only
triggers in place again.

The audit trail keeps no hash chain; what stands for one here is the fingerprint of its rows,
which the restore must reproduce, and its trigger, which must refuse changes again.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from .db_roles import append_only_tables
from .errors import DomainError

MANIFEST = "manifest.json"
MEDIA = "media"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
FORMAT = 1
_CHUNK = 1024 * 1024


class BackupError(DomainError):
    """The backup or restore cannot go on; the message says why, in German."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_tool(name: str) -> str:
    """The newest installed PostgreSQL's tool (Debian keeps them per version), else PATH's."""
    for bindir in sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    ):
        if Path(bindir, name).exists():
            return str(Path(bindir, name))
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} wurde nicht gefunden (Paket postgresql-client installieren).")
    return found


def _run_pg_tool(connection: BaseDatabaseWrapper, tool: str, *arguments: str | Path) -> None:
    """Run pg_dump or pg_restore against the connection's database; its error in German."""
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [_pg_tool(tool), *map(str, arguments)],
        env=_pg_env(connection),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise BackupError(f"{tool} ist gescheitert: {result.stderr.strip()}")


def _pg_env(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """libpq's environment for the connection: the password never shows in the process list."""
    params = connection.settings_dict
    env = dict(os.environ)
    for variable, value in [
        ("PGHOST", params["HOST"]),
        ("PGPORT", params["PORT"]),
        ("PGUSER", params["USER"]),
        ("PGPASSWORD", params["PASSWORD"]),
        ("PGDATABASE", params["NAME"]),
        ("PGSSLMODE", params.get("OPTIONS", {}).get("sslmode", "")),
    ]:
        if value:
            env[variable] = str(value)
    return env


def _tables(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _row_counts(connection: BaseDatabaseWrapper) -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for table in _tables(connection):
            cursor.execute(f"SELECT count(*) FROM {quote(table)}")  # noqa: S608 (introspected names)
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _fingerprints(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """SHA-256 over every row of each append-only table, in id order."""
    quote = connection.ops.quote_name
    present = set(_tables(connection))
    prints = {}
    with connection.cursor() as cursor:
        for table in sorted(append_only_tables() & present):
            digest = hashlib.sha256()
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY id")  # noqa: S608 (model names)
            while rows := cursor.fetchmany(1000):
                for row in rows:
                    digest.update(repr(tuple(row)).encode())
            prints[table] = digest.hexdigest()
    return prints


def _migrations(connection: BaseDatabaseWrapper) -> list[list[str]]:
    # Raw SQL, not MigrationRecorder: its ORM query needs a connection registered by alias.
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        return sorted([str(app), str(name)] for app, name in cursor.fetchall())


def _unprotected(connection: BaseDatabaseWrapper) -> list[str]:
    """Append-only tables without their enabled `…_append_only` trigger."""
    missing = []
    with connection.cursor() as cursor:
        for table in sorted(append_only_tables()):
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass(%s) "
                    "AND NOT tgisinternal AND tgenabled <> 'D' AND tgname LIKE %s",
                    [table, "%append_only"],
                )
            else:
                cursor.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
                    "AND name LIKE %s",
                    [table, "%append_only"],
                )
            if not cursor.fetchone()[0]:
                missing.append(table)
    return missing


def media_folder(media_root: Path | str | None) -> Path:
    """The folder of the uploaded files that backup and restore read and write: `media_root`,
    else MEDIA_ROOT. With uploads in object storage (BUENDNIS_MEDIA_STORAGE=s3) there is no such
    folder, and an archive without the files would look complete: the caller must name one."""
    if media_root is not None:
        return Path(media_root)
    if settings.STORAGES["default"]["BACKEND"] != "django.core.files.storage.FileSystemStorage":
        raise BackupError(
            "Die hochgeladenen Dateien liegen im Objektspeicher (BUENDNIS_MEDIA_STORAGE=s3), "
            "nicht in einem Ordner. Holen Sie sie zuerst in einen Ordner (z. B. "
            "aws s3 sync s3://<Bucket> ./media) und geben Sie ihn mit --media-root an; beim "
            "Einspielen ebenso, danach den Ordner in den Bucket zurück."
        )
    return Path(settings.MEDIA_ROOT)


def _media_files(media_root: Path) -> Iterator[tuple[str, Path]]:
    if not media_root.is_dir():
        return
    for path in sorted(media_root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path.relative_to(media_root).as_posix(), path


@contextmanager
def _database_copy(connection: BaseDatabaseWrapper, target: Path) -> Iterator[dict[str, Any]]:
    """Write the database to `target` and yield its counts and fingerprints, all of one moment.

    PostgreSQL: a REPEATABLE READ transaction exports its snapshot, pg_dump reads from the same
    snapshot, so the counts in the manifest are those of the dump while the app keeps writing.
    """
    if connection.vendor == "postgresql":
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            state = {
                "tables": _row_counts(connection),
                "fingerprints": _fingerprints(connection),
                "migrations": _migrations(connection),
            }
            _run_pg_tool(
                connection, "pg_dump", "--format=custom", f"--snapshot={snapshot}", "-f", target
            )
            yield state
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
        with _connected(f"sqlite:///{target}") as copied:
            yield {
                "tables": _row_counts(copied),
                "fingerprints": _fingerprints(copied),
                "migrations": _migrations(copied),
            }
    else:
        raise BackupError(f"Datenbank „{connection.vendor}“ wird nicht unterstützt.")


@contextmanager
def _connected(url: str) -> Iterator[BaseDatabaseWrapper]:
    """A Django connection to `url`, not registered in `connections`: no other code (and no
    test's database guard) meets it, and it is closed afterwards."""
    import environ

    alias = "buendnis_backup_target"
    config = connections.configure_settings({DEFAULT_DB_ALIAS: environ.Env.db_url_config(url)})
    connections.settings[alias] = config[DEFAULT_DB_ALIAS]
    try:
        connection = connections.create_connection(alias)
    finally:
        del connections.settings[alias]
    try:
        yield connection
    finally:
        connection.close()


def backup_create(
    *, archive: Path, media_root: Path, using: str = DEFAULT_DB_ALIAS
) -> dict[str, Any]:
    """Write the archive; returns its manifest. Refuses to overwrite an existing file."""
    if archive.exists():
        raise BackupError(f"Die Datei {archive} gibt es schon; die Sicherung überschreibt nichts.")
    connection = connections[using]
    dump_name = DUMPS.get(connection.vendor, "database")
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(archive.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="buendnis-backup-") as tmp:
        dump = Path(tmp) / dump_name
        with _database_copy(connection, dump) as state:
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "vendor": connection.vendor,
                "database": {"name": dump_name, "sha256": _sha256(dump)},
                **state,
                "files": {},
            }
        try:
            with tarfile.open(partial, "w:gz") as tar:
                tar.add(dump, arcname=dump_name)
                for name, path in _media_files(media_root):
                    manifest["files"][name] = _sha256(path)
                    tar.add(path, arcname=f"{MEDIA}/{name}")
                data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(timezone.now().timestamp())
                with tempfile.SpooledTemporaryFile() as buffer:
                    buffer.write(data)
                    buffer.seek(0)
                    tar.addfile(info, buffer)
            partial.rename(archive)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def _read_archive(archive: Path, into: Path) -> dict[str, Any]:
    """Unpack and check every checksum before anything is restored."""
    if not archive.is_file():
        raise BackupError(f"Die Sicherung {archive} gibt es nicht.")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(into, filter="data")
        manifest: dict[str, Any] = json.loads((into / MANIFEST).read_text())
    except (tarfile.TarError, OSError, ValueError) as error:
        raise BackupError(f"{archive} ist keine lesbare Sicherung: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unbekanntes Sicherungsformat {manifest.get('format')!r}.")
    database = manifest["database"]
    if _sha256(into / database["name"]) != database["sha256"]:
        raise BackupError("Die Datenbanksicherung ist beschädigt (Prüfsumme stimmt nicht).")
    for name, expected in manifest["files"].items():
        path = into / MEDIA / name
        if not path.is_file() or _sha256(path) != expected:
            raise BackupError(f"Die Datei {name} der Sicherung fehlt oder ist beschädigt.")
    return manifest


def _restore_database(connection: BaseDatabaseWrapper, dump: Path) -> None:
    if connection.vendor == "postgresql":
        # Owners and grants of the old server are not carried over: the restoring role (the
        # owner) owns everything, and `grant_app_role` gives the app its privileges again.
        _run_pg_tool(
            connection,
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            connection.settings_dict["NAME"],
            dump,
        )
    else:
        connection.ensure_connection()
        with sqlite3.connect(dump) as source:
            source.backup(connection.connection)
        source.close()


def backup_restore(
    *, archive: Path, media_root: Path, database_url: str | None = None
) -> dict[str, Any]:
    """Restore the archive into an empty database and an empty MEDIA_ROOT, then check it.

    `database_url` names the target; without it the default connection. Returns the manifest.
    Raises BackupError, before changing anything, when the target is not empty.
    """
    with _target(database_url) as connection, tempfile.TemporaryDirectory() as tmp:
        manifest = _read_archive(archive, Path(tmp))
        if manifest["vendor"] != connection.vendor:
            raise BackupError(
                f"Die Sicherung stammt aus {manifest['vendor']}, das Ziel ist {connection.vendor}."
            )
        if tables := _tables(connection):
            raise BackupError(
                f"Die Zieldatenbank ist nicht leer ({len(tables)} Tabellen). Eine Sicherung wird "
                "nur in eine leere Datenbank eingespielt, z. B. createdb -O <Eigentümerrolle> <Name>."
            )
        if any(_media_files(media_root)):
            raise BackupError(
                f"Der Ordner für hochgeladene Dateien ({media_root}) ist nicht leer; bitte einen "
                "leeren Ordner angeben oder ihn leeren."
            )
        _restore_database(connection, Path(tmp) / manifest["database"]["name"])
        for name, expected in manifest["files"].items():
            target = media_root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(Path(tmp) / MEDIA / name, target)
            if _sha256(target) != expected:
                raise BackupError(f"Die Datei {name} kam nicht unversehrt an.")
        _check(connection, manifest)
    return manifest


@contextmanager
def _target(database_url: str | None) -> Iterator[BaseDatabaseWrapper]:
    if database_url:
        with _connected(database_url) as connection:
            yield connection
    else:
        yield connections[DEFAULT_DB_ALIAS]


def _check(connection: BaseDatabaseWrapper, manifest: dict[str, Any]) -> None:
    """The restored database says what the manifest says, and its records are protected again."""
    problems = []
    counts = _row_counts(connection)
    for table, expected in manifest["tables"].items():
        if counts.get(table) != expected:
            problems.append(f"{table}: {counts.get(table)} statt {expected} Zeilen")
    for table, expected in _fingerprints(connection).items():
        if manifest["fingerprints"].get(table) != expected:
            problems.append(f"{table}: Inhalt weicht ab")
    if _migrations(connection) != manifest["migrations"]:
        problems.append("Migrationsstand weicht ab")
    problems += [f"{table}: Schutz-Trigger fehlt" for table in _unprotected(connection)]
    if problems:
        raise BackupError("Die Wiederherstellung stimmt nicht: " + "; ".join(problems))
