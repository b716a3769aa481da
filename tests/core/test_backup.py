"""`manage.py backup` and `restore`: a round trip gives the same rows, the same files and an
audit trail and ledger that are as they were and protected again.

The database and the files are restored elsewhere: PostgreSQL into a second, empty database on
the same test server; SQLite into a file. The test database itself stays as it is.
"""

import hashlib
import json
import sqlite3
import tarfile
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from buendnis.budget.models import LedgerEntry
from buendnis.budget.services import budget_adjust
from buendnis.core.audit import audit_record
from buendnis.core.models import AuditEntry
from buendnis.funding.models import DocumentKind, ProjectDocument
from tests.factories import PDF_BYTES, PhaseFactory, ProjectFactory, pdf_upload

# pg_dump and the restore read committed rows over connections of their own.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploads on disk, as in production (the test settings keep them in memory)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path / "media"


@pytest.fixture
def records(media: Path) -> dict[str, Any]:
    phase = PhaseFactory()
    booking = budget_adjust(actor=None, phase=phase, amount=Decimal("2500.00"), note="Aufstockung")
    project = ProjectFactory(phase=phase)
    audit = audit_record(actor=None, action="test", instance=project, comment="Grüße aus Köln")
    document = ProjectDocument.objects.create(
        project=project, kind=DocumentKind.SKETCH, version=1, file=pdf_upload("skizze.pdf")
    )
    return {"booking": booking, "audit": audit, "document": document}


def _as_text(rows: list[Any]) -> list[tuple[str, ...]]:
    return [tuple(map(str, row)) for row in rows]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def empty_postgres() -> Iterator[tuple[str, str]]:
    """(name, url) of a new empty database on the test server, dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "Die Sicherung mit pg_dump braucht PostgreSQL. Aufruf: scripts/with_postgres.py -- "
            ".venv/bin/python -m pytest tests/core/test_backup.py"
        )
    params = connection.settings_dict
    name = f"restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    host = params["HOST"] or "127.0.0.1"
    url = f"postgres://{params['USER']}{password}@{host}:{params['PORT'] or 5432}/{name}"
    try:
        yield name, url
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE {name} WITH (FORCE)")


def test_a_postgresql_round_trip_gives_the_same_rows_files_and_a_protected_audit_trail(
    records, media, empty_postgres, tmp_path
):
    name, url = empty_postgres
    archive = tmp_path / "sicherung.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    restored_media = tmp_path / "restored-media"

    call_command(
        "restore", str(archive), database_url=url, media_root=str(restored_media), verbosity=0
    )

    document = records["document"]
    original = media / document.file.name
    assert original.read_bytes() == PDF_BYTES
    assert _sha256(restored_media / document.file.name) == _sha256(original)
    params = connection.settings_dict
    with (
        psycopg.connect(
            host=params["HOST"] or "127.0.0.1",
            port=params["PORT"] or 5432,
            user=params["USER"],
            password=params["PASSWORD"] or None,
            dbname=name,
            autocommit=True,
        ) as restored,
        connection.cursor() as here,
    ):
        for model in [LedgerEntry, AuditEntry, ProjectDocument]:
            table = model._meta.db_table
            # Each row as PostgreSQL's text, the same whoever reads it.
            query = f"SELECT {table}::text FROM {table} ORDER BY id"  # noqa: S608 (model names)
            here.execute(query)
            assert restored.execute(query).fetchall() == here.fetchall() != []
        audit = records["audit"]
        comment = restored.execute(
            "SELECT comment FROM core_auditentry WHERE id = %s", [audit.pk]
        ).fetchone()
        assert comment == ("Grüße aus Köln",)
        # The triggers came back with the tables: the restored trail refuses changes as before.
        for statement in [
            "UPDATE core_auditentry SET comment = ''",
            "DELETE FROM budget_ledgerentry",
        ]:
            with pytest.raises(psycopg.errors.RestrictViolation):
                restored.execute(statement)

    # The restored database is no longer empty: a second restore into it is refused.
    with pytest.raises(CommandError, match="nicht leer"):
        call_command(
            "restore", str(archive), database_url=url, media_root=str(tmp_path / "x"), verbosity=0
        )


def test_the_manifest_records_migrations_counts_and_checksums(records, media, tmp_path):
    archive = tmp_path / "sicherung.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        names = set(tar.getnames())
    document = records["document"]
    assert manifest["files"] == {document.file.name: hashlib.sha256(PDF_BYTES).hexdigest()}
    assert f"media/{document.file.name}" in names
    assert manifest["database"]["name"] in names
    assert manifest["tables"]["core_auditentry"] == AuditEntry.objects.count()
    assert manifest["tables"]["budget_ledgerentry"] == LedgerEntry.objects.count() >= 1
    assert ["budget", "0003_ledgerentry_append_only"] in manifest["migrations"]
    assert set(manifest["fingerprints"]) >= {"core_auditentry", "budget_ledgerentry"}
    with pytest.raises(CommandError, match="gibt es schon"):
        call_command("backup", str(archive), verbosity=0)


def test_a_damaged_archive_is_refused_before_anything_is_restored(records, media, tmp_path):
    archive = tmp_path / "sicherung.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    document = records["document"]
    (unpacked / "media" / document.file.name).write_bytes(b"%PDF-1.7 changed")
    damaged = tmp_path / "beschaedigt.tar.gz"
    with tarfile.open(damaged, "w:gz") as tar:
        for path in unpacked.iterdir():
            tar.add(path, arcname=path.name)
    target = tmp_path / "ziel.sqlite3"
    with pytest.raises(CommandError, match="beschädigt"):
        call_command(
            "restore",
            str(damaged),
            database_url=f"sqlite:///{target}",
            media_root=str(tmp_path / "restored-media"),
        )
    assert not (tmp_path / "restored-media").exists()


def test_a_sqlite_round_trip_gives_the_same_rows_and_files(records, media, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("Die PostgreSQL-Runde prüft test_a_postgresql_round_trip_…")
    archive = tmp_path / "sicherung.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    target = tmp_path / "wiederhergestellt.sqlite3"
    restored_media = tmp_path / "restored-media"

    call_command(
        "restore",
        str(archive),
        database_url=f"sqlite:///{target}",
        media_root=str(restored_media),
        verbosity=0,
    )

    document = records["document"]
    assert (restored_media / document.file.name).read_bytes() == PDF_BYTES
    restored = sqlite3.connect(target)
    try:
        for model in [LedgerEntry, AuditEntry, ProjectDocument]:
            query = f"SELECT * FROM {model._meta.db_table} ORDER BY id"  # noqa: S608 (model names)
            with connection.cursor() as here:
                here.execute(query)
                # Django's connection converts dates and amounts; compare them as text.
                assert _as_text(restored.execute(query).fetchall()) == _as_text(here.fetchall())
        with pytest.raises(sqlite3.IntegrityError, match="unveränderlich"):
            restored.execute("UPDATE core_auditentry SET comment = ''")
    finally:
        restored.close()


S3 = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"bucket_name": "uploads"}}


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_with_uploads_in_object_storage_a_folder_must_be_named(command, settings, tmp_path):
    """An archive without the files of an S3 bucket would look complete; the command refuses
    and says how to bring the files into a folder first."""
    settings.STORAGES = {**settings.STORAGES, "default": S3}
    with pytest.raises(CommandError, match="Objektspeicher.*--media-root"):
        call_command(command, str(tmp_path / "buendnis.tar.gz"))
    assert not (tmp_path / "buendnis.tar.gz").exists()
