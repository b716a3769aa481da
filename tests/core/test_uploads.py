import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from buendnis.alliances import services
from buendnis.alliances.models import CooperationAgreement
from buendnis.core.models import AuditEntry
from buendnis.core.uploads import validate_document
from tests.factories import OrganisationFactory, PhaseFactory

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("vereinbarung.pdf", PDF),
        ("Vereinbarung.PDF", PDF),
        ("beschluss.docx", b"PK\x03\x04" + b"\x00" * 40),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
        ("scan.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 40),
    ],
)
def test_accepts_documents_by_content(name, content):
    validate_document(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("vereinbarung.pdf", b"MZ\x90\x00 this is a windows program"),  # a program named .pdf
        ("vereinbarung.exe", PDF),  # a PDF under a foreign ending
        ("notiz.txt", b"just text"),
        ("leer.pdf", b""),
    ],
)
def test_refuses_other_content_in_german(name, content):
    with pytest.raises(ValidationError) as error:
        validate_document(SimpleUploadedFile(name, content))
    assert "ist kein erlaubtes Dokument" in error.value.messages[0]
    assert "geprüft wird der Inhalt" in error.value.messages[0]


def test_refuses_files_over_the_limit(settings):
    settings.MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError) as error:
        validate_document(SimpleUploadedFile("gross.pdf", PDF + b"x" * 200))
    assert error.value.messages == [
        "Die Datei ist 250\xa0Bytes groß; erlaubt sind höchstens 100\xa0Bytes."
    ]


@pytest.mark.django_db
def test_agreement_with_a_disguised_file_is_refused_and_nothing_is_stored():
    phase = PhaseFactory()
    organisation = OrganisationFactory(alliance=phase.alliance)
    with pytest.raises(ValidationError) as error:
        services.agreement_sign(
            actor=None,
            phase=phase,
            organisation=organisation,
            signed_on=phase.starts_on,
            document=SimpleUploadedFile("vertrag.pdf", b"<html>not a pdf</html>"),
        )
    assert "document" in error.value.message_dict
    assert CooperationAgreement.objects.count() == 0
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db
def test_agreement_with_a_real_pdf_is_stored():
    phase = PhaseFactory()
    organisation = OrganisationFactory(alliance=phase.alliance)
    agreement = services.agreement_sign(
        actor=None,
        phase=phase,
        organisation=organisation,
        signed_on=phase.starts_on,
        decision_reference="DS 15-00153",
        document=SimpleUploadedFile("vertrag.pdf", PDF),
    )
    agreement.refresh_from_db()
    assert agreement.document.name.endswith(".pdf")
    assert agreement.document.read() == PDF
