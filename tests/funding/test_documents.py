"""Uploads of the procedure: the type is read from the content, the size is limited, a refused
upload stores nothing and moves nothing, and every accepted upload is kept as a new version."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from buendnis.core.errors import NotPermitted
from buendnis.core.models import AuditEntry
from buendnis.funding import services
from buendnis.funding.models import DocumentKind, ProjectDocument, Transition
from buendnis.funding.states import Status as S
from tests.factories import (
    PDF_BYTES,
    PhaseFactory,
    advance,
    applicant_of,
    pdf_upload,
    project_in_state,
)

pytestmark = pytest.mark.django_db

DOCX = b"PK\x03\x04" + b"\x00" * 60
ODT = b"PK\x03\x04" + b"\x01" * 60

BAD_UPLOADS = {
    "renamed_executable": (
        "kurzskizze.pdf",
        b"MZ\x90\x00\x03\x00\x00\x00 This program cannot be run in DOS mode",
    ),
    "script_as_docx": ("kurzskizze.docx", b"#!/bin/sh\nrm -rf /\n"),
    "html_as_pdf": ("kurzskizze.pdf", b"<html><script>alert(1)</script></html>"),
    "empty_file": ("kurzskizze.pdf", b""),
    "pdf_with_wrong_ending": ("kurzskizze.exe", PDF_BYTES),
    "pdf_as_text": ("kurzskizze.txt", PDF_BYTES),
    "no_ending": ("kurzskizze", PDF_BYTES),
}


@pytest.fixture
def phase(alliance):
    return PhaseFactory(alliance=alliance)


@pytest.fixture(autouse=True)
def _empty_storage(settings):
    """A fresh in-memory storage per test: the test settings' one lives as long as the process."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    assert _stored_files() == []


def _stored_files() -> list[str]:
    """Every file the storage holds under projects/ (tests use the in-memory storage)."""
    found = []
    stack = ["projects"]
    while stack:
        folder = stack.pop()
        if not default_storage.exists(folder):
            continue
        folders, files = default_storage.listdir(folder)
        found += [f"{folder}/{name}" for name in files]
        stack += [f"{folder}/{name}" for name in folders]
    return found


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_a_bad_sketch_is_refused_in_german_and_nothing_happens(phase, case):
    project = project_in_state(phase, S.CONSULTATION)
    name, content = BAD_UPLOADS[case]
    files, audit, version = _stored_files(), AuditEntry.objects.count(), project.version

    with pytest.raises(ValidationError) as error:
        services.sketch_submit(
            actor=applicant_of(project), project=project, document=SimpleUploadedFile(name, content)
        )

    assert error.value.message_dict["file"] == [
        f"Die Datei „{name}“ ist kein erlaubtes Dokument. Erlaubt sind PDF, Office- und "
        "OpenDocument-Dateien sowie PNG- und JPEG-Bilder (.docx, .jpeg, .jpg, .odp, .ods, .odt, "
        ".pdf, .png, .pptx, .xlsx); geprüft wird der Inhalt, nicht nur die Endung."
    ]
    project.refresh_from_db()
    assert project.status == S.CONSULTATION
    assert project.version == version
    assert not ProjectDocument.objects.exists()
    assert not Transition.objects.filter(project=project, to_status=S.SKETCH_SUBMITTED).exists()
    assert _stored_files() == files
    assert AuditEntry.objects.count() == audit


def test_an_oversized_description_is_refused_and_nothing_happens(phase, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    project = project_in_state(phase, S.DESCRIPTION_REQUESTED)
    files, documents = _stored_files(), ProjectDocument.objects.count()

    with pytest.raises(ValidationError) as error:
        services.description_submit(
            actor=None,
            project=project,
            document=SimpleUploadedFile("beschreibung.pdf", PDF_BYTES + b"0" * 2048),
        )

    assert error.value.message_dict["file"] == [
        "Die Datei ist 2,0\xa0KB groß; erlaubt sind höchstens 1,0\xa0KB."
    ]
    project.refresh_from_db()
    assert project.status == S.DESCRIPTION_REQUESTED
    assert ProjectDocument.objects.count() == documents
    assert _stored_files() == files


def test_a_file_of_exactly_the_limit_is_accepted(phase, settings):
    content = PDF_BYTES + b"0" * 100
    settings.MAX_UPLOAD_BYTES = len(content)
    project = project_in_state(phase, S.CONSULTATION)
    services.sketch_submit(
        actor=None, project=project, document=SimpleUploadedFile("skizze.pdf", content)
    )
    assert project.status == S.SKETCH_SUBMITTED


@pytest.mark.parametrize(
    ("name", "content"),
    [("Skizze.PDF", PDF_BYTES), ("skizze.docx", DOCX), ("skizze.odt", ODT)],
)
def test_pdf_docx_and_odt_are_accepted(phase, name, content):
    project = project_in_state(phase, S.CONSULTATION)
    services.sketch_submit(actor=None, project=project, document=SimpleUploadedFile(name, content))
    document = project.documents.get()
    assert (document.kind, document.version) == (DocumentKind.SKETCH, 1)
    assert document.file.read() == content


def test_a_bad_resubmission_keeps_the_revision_request(phase):
    project = project_in_state(phase, S.REVISION_REQUESTED, at=S.SKETCH_STEERING)
    with pytest.raises(ValidationError):
        services.project_resubmit(
            actor=None, project=project, document=SimpleUploadedFile("neu.pdf", b"MZ\x90\x00")
        )
    project.refresh_from_db()
    assert project.status == S.REVISION_REQUESTED
    assert project.return_status == S.SKETCH_SUBMITTED
    assert list(project.documents.values_list("version", flat=True)) == [1]


def test_a_bad_final_report_keeps_the_project_running_and_the_budget_untouched(phase):
    project = project_in_state(phase, S.RUNNING)
    ledger = list(project.ledger_entries.values_list("pk", flat=True))
    with pytest.raises(ValidationError):
        services.project_close(
            actor=None,
            project=project,
            closed_on=project.started_on,
            final_eligible_costs=project.eligible_costs,
            final_grant=project.granted_amount,
            final_report=SimpleUploadedFile("bericht.pdf", b""),
        )
    project.refresh_from_db()
    assert project.status == S.RUNNING
    assert list(project.ledger_entries.values_list("pk", flat=True)) == ledger


def test_every_upload_is_kept_as_a_new_version(phase):
    """Sketch, revised sketch, description, revised description: four files, none overwritten."""
    project = project_in_state(phase, S.REVISION_REQUESTED, at=S.SKETCH_SPEAKERS)
    services.project_resubmit(
        actor=None,
        project=project,
        document=SimpleUploadedFile("skizze.pdf", PDF_BYTES + b"% zweite Fassung\n"),
    )
    sketches = project.documents.filter(kind=DocumentKind.SKETCH).order_by("version")
    assert [d.version for d in sketches] == [1, 2]
    first, second = sketches
    assert first.file.name != second.file.name
    assert first.file.read() == PDF_BYTES  # the first version is still there, unchanged
    assert second.file.read().endswith(b"% zweite Fassung\n")
    assert second.file.name.startswith(f"projects/{project.pk}/sketch/v2-")

    # A direct upload of another kind starts its own count.
    services.document_add(actor=None, project=project, kind=DocumentKind.OTHER, upload=pdf_upload())
    services.document_add(actor=None, project=project, kind=DocumentKind.OTHER, upload=pdf_upload())
    assert sorted(
        project.documents.filter(kind=DocumentKind.OTHER).values_list("version", flat=True)
    ) == [1, 2]
    assert len(_stored_files()) == 4
    assert (
        AuditEntry.objects.filter(action="project.document", object_id=str(project.pk)).count() == 4
    )


def test_the_same_file_name_twice_keeps_both(phase):
    project = project_in_state(phase, S.CONSULTATION)
    services.document_add(
        actor=None, project=project, kind=DocumentKind.OTHER, upload=pdf_upload("a.pdf")
    )
    services.document_add(
        actor=None, project=project, kind=DocumentKind.OTHER, upload=pdf_upload("a.pdf")
    )
    names = sorted(project.documents.values_list("file", flat=True))
    assert len(set(names)) == 2
    assert all(default_storage.exists(name) for name in names)


def test_a_refused_direct_upload_leaves_no_audit_row(phase):
    project = project_in_state(phase, S.CONSULTATION)
    audit = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        services.document_add(
            actor=None,
            project=project,
            kind=DocumentKind.OTHER,
            upload=SimpleUploadedFile("x.pdf", b"MZ"),
        )
    assert AuditEntry.objects.count() == audit
    assert not ProjectDocument.objects.exists()


def test_who_may_add_a_document_directly(phase, make_persona):
    """A direct upload is an edit: the office always, the project's applicant while the project is
    in their hands, nobody else."""
    project = project_in_state(phase, S.CONSULTATION)
    applicant = applicant_of(project)
    for persona in ("speaker", "member", "advisory", "ministry", "outsider", "applicant"):
        with pytest.raises(NotPermitted):
            services.document_add(
                actor=make_persona(persona),
                project=project,
                kind=DocumentKind.OTHER,
                upload=pdf_upload(),
            )
    assert not ProjectDocument.objects.exists()
    services.document_add(
        actor=applicant, project=project, kind=DocumentKind.OTHER, upload=pdf_upload()
    )
    advance(project, S.SKETCH_SPEAKERS)
    with pytest.raises(NotPermitted):
        services.document_add(
            actor=applicant, project=project, kind=DocumentKind.OTHER, upload=pdf_upload()
        )
    services.document_add(
        actor=make_persona("office"), project=project, kind=DocumentKind.OTHER, upload=pdf_upload()
    )
    assert ProjectDocument.objects.filter(kind=DocumentKind.OTHER).count() == 2
