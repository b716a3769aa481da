"""The office's import pages: who may open them, the upload, the preview with every problem,
„Jetzt importieren“ all or nothing, the template and the export."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from buendnis.alliances.models import Organisation
from buendnis.core.models import AuditEntry
from buendnis.funding.models import Project
from tests.conftest import PERSONAS

from .musterland import musterland

pytestmark = pytest.mark.django_db

BASE = "/son/intern/import/"
IMPORTS = {"office", "admin"}
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def upload(client, content, name="musterland.xlsx", sheet=""):
    return client.post(
        BASE, {"file": SimpleUploadedFile(name, content), "sheet": sheet}, follow=False
    )


def digest_of(page: str) -> str:
    match = re.search(r'name="digest" value="([0-9a-f]{64})"', page)
    assert match is not None, "no confirm form"
    return match.group(1)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "path",
    ["", "vorschau/", "vorlage.xlsx", "export.xlsx"],
    ids=["upload", "preview", "template", "export"],
)
def test_who_opens_the_pages(persona, path, client_as, alliance):
    response = client_as(persona).get(BASE + path)
    if persona == "public":
        assert response.status_code == 302
        assert response["Location"].startswith("/konto/anmelden/")
    elif persona in IMPORTS:
        # The preview without an upload sends back to the upload.
        assert response.status_code == (302 if path == "vorschau/" else 200)
    else:
        assert response.status_code == 403
        assert (
            "Daten eines Bündnisses übernimmt seine Geschäftsstelle." in response.content.decode()
        )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", ["", "importieren/", "verwerfen/"])
def test_who_may_post(persona, path, client_as, alliance):
    client = client_as(persona)
    response = client.post(BASE + path, {"file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04")})
    if persona == "public":
        assert response.status_code == 302
        assert response["Location"].startswith("/konto/anmelden/")
    elif persona in IMPORTS:
        assert response.status_code in (302, 400)
    else:
        assert response.status_code == 403
    assert Organisation.objects.count() == 0


def test_the_other_alliances_office_cannot_import_here(client_as, alliance, other_alliance):
    client = client_as("outsider")
    assert upload(client, musterland().xlsx()).status_code == 403
    # Its own alliance's import page is open to it.
    assert client.get("/leine-weser/intern/import/").status_code == 200


def test_upload_preview_and_import(client_as, alliance):
    client = client_as("office")
    land = musterland()

    response = upload(client, land.xlsx())
    assert response.status_code == 302
    assert response["Location"] == BASE + "vorschau/"

    preview = client.get(BASE + "vorschau/")
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Vorschau des Imports" in page
    assert "30 neu, 0 geändert, 0 unverändert" in page
    assert "40 neu, 0 geändert, 0 unverändert" in page
    assert "MUS-2012-01 – Vorhaben 1: Stille Reserve" in page
    assert '<th scope="col">Zeile</th>' in page
    assert "Jetzt importieren" in page
    assert Organisation.objects.count() == 0  # the preview writes nothing

    done = client.post(BASE + "importieren/", {"digest": digest_of(page)}, follow=True)
    assert done.redirect_chain == [(BASE, 302)]
    assert "„musterland.xlsx“ ist übernommen" in done.content.decode()
    assert Project.objects.filter(alliance=alliance).count() == 40
    audit = AuditEntry.objects.get(action="onboarding.import")
    assert audit.actor.username == "office"
    assert AuditEntry.objects.filter(action="project.import", actor=audit.actor).count() == 40
    # The file is gone: a second confirmation finds nothing to import.
    again = client.post(BASE + "importieren/", {"digest": digest_of(page)}, follow=True)
    assert "liegt nicht mehr vor" in again.content.decode()
    assert Project.objects.count() == 40

    # The same file again: nothing to do.
    upload(client, land.xlsx())
    page = client.get(BASE + "vorschau/").content.decode()
    assert "es gibt nichts zu importieren" in page
    assert "Jetzt importieren" not in page


def test_a_broken_row_is_shown_and_nothing_is_imported(client_as, alliance):
    client = client_as("office")
    land = musterland()
    land.set("Vorhaben", 17, "Laufzeit ab", "31.02.2019")
    upload(client, land.xlsx())

    page = client.get(BASE + "vorschau/").content.decode()

    assert "Die Datei hat einen Fehler; es wird nichts importiert." in page
    assert '<table class="table-stack" id="fehler">' in page
    assert '<th scope="col">Blatt</th>' in page
    row = re.search(r"<tr>\s*<td data-label=\"Blatt\">Vorhaben</td>(.*?)</tr>", page, re.S)
    assert row is not None
    assert '<td data-label="Zeile">19</td>' in row.group(1)
    assert '<td data-label="Spalte">Laufzeit ab</td>' in row.group(1)
    assert "Den 31.02.2019 gibt es nicht" in row.group(1)
    assert "Jetzt importieren" not in page

    # Confirming anyway changes nothing either.
    session_digest = client.session["onboarding_uploads"][str(alliance.pk)]["sha256"]
    response = client.post(BASE + "importieren/", {"digest": session_digest})
    assert response.status_code == 400
    assert Organisation.objects.count() == 0


def test_a_picture_named_xlsx_is_refused_in_german(client_as, alliance):
    response = upload(client_as("office"), PNG, name="partner.xlsx")
    page = response.content.decode()
    assert response.status_code == 400
    assert "ist keine Excel-Arbeitsmappe, auch wenn ihr Name so endet" in page
    # The error summary links to the field.
    assert '<a href="#id_file">Datei:' in page


def test_a_csv_file_needs_its_sheet_and_imports_it(client_as, alliance):
    client = client_as("office")
    content = musterland().csv("Organisationen")
    missing = upload(client, content, name="partner.csv")
    assert missing.status_code == 400
    assert "Bitte angeben, welches Blatt die CSV-Datei enthält." in missing.content.decode()

    assert upload(client, content, name="partner.csv", sheet="organisations").status_code == 302
    page = client.get(BASE + "vorschau/").content.decode()
    assert "CSV-Datei, Blatt „Organisationen“" in page
    client.post(BASE + "importieren/", {"digest": digest_of(page)})
    assert Organisation.objects.filter(alliance=alliance).count() == 30


def test_a_newer_upload_is_not_imported_by_an_older_preview(client_as, alliance):
    client = client_as("office")
    land = musterland()
    upload(client, land.xlsx())
    old_page = client.get(BASE + "vorschau/").content.decode()
    land.set("Organisationen", 0, "Kurzname", "Anders")
    upload(client, land.xlsx())

    response = client.post(BASE + "importieren/", {"digest": digest_of(old_page)}, follow=True)

    assert "Inzwischen wurde eine andere Datei hochgeladen" in response.content.decode()
    assert Organisation.objects.count() == 0


def test_discard_deletes_the_waiting_file(client_as, alliance):
    client = client_as("office")
    upload(client, musterland().xlsx())
    response = client.post(BASE + "verwerfen/", follow=True)
    assert "ist verworfen" in response.content.decode()
    assert client.get(BASE + "vorschau/").status_code == 302


def test_template_and_export_are_workbooks(client_as, alliance):
    client = client_as("office")
    template = client.get(BASE + "vorlage.xlsx")
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    assert template["Content-Disposition"] == 'attachment; filename="vorlage-import.xlsx"'
    assert "Hinweise" in load_workbook(io.BytesIO(template.content)).sheetnames
    export = client.get(BASE + "export.xlsx")
    assert export["Content-Disposition"] == 'attachment; filename="son-daten.xlsx"'
    assert load_workbook(io.BytesIO(export.content))["Organisationen"].max_row == 1


@pytest.mark.parametrize("persona", ["office", "admin", "speaker", "ministry"])
def test_the_band_links_the_import_for_the_office(persona, client_as, alliance):
    page = client_as(persona).get("/son/intern/kontakte/").content.decode()
    assert (f'href="{BASE}"' in page) is (persona in IMPORTS)


def test_the_pages_run_no_inline_script(client_as, alliance):
    client = client_as("office")
    upload(client, musterland().xlsx())
    for path in ("", "vorschau/"):
        page = client.get(BASE + path).content.decode()
        assert "<script>" not in page
        assert " onclick=" not in page
        assert re.findall(r"<script(?![^>]*\ssrc=)", page) == []


def test_the_pages_speak_english_while_the_file_stays_german(client_as, alliance):
    client = client_as("office")
    client.get("/sprache/en/", {"next": BASE})
    land = musterland()
    land.set("Vorhaben", 17, "Laufzeit ab", "31.02.2019")
    upload(client, land.xlsx())

    page = client.get(BASE + "vorschau/").content.decode()

    assert "<h1>Preview of the import</h1>" in page
    assert "The file has 1 problem; nothing is imported." in page
    assert "There is no 31.02.2019: please check day and month." in page
    # The sheets and columns are the file's own names.
    assert '<td data-label="Column">Laufzeit ab</td>' in page
    upload_page = client.get(BASE).content.decode()
    assert "Import data" in upload_page


def test_a_file_too_large_is_refused_before_it_is_read(client_as, alliance, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    response = upload(client_as("office"), b"PK\x03\x04" + b"0" * 2000)
    assert response.status_code == 400
    assert "erlaubt sind höchstens 1000" in response.content.decode()
