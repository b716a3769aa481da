"""The English interface: the language switch in the header, translated pages and messages, and a
catalogue without gaps."""

import gettext
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from buendnis.alliances import services
from buendnis.alliances.models import Alliance
from buendnis.funding.states import Status

from ..factories import AllianceStructure, applicant_of, project_in_state

LOCALE = Path(settings.BASE_DIR) / "buendnis" / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LOCALE / "django.po"
MO_FILE = LOCALE / "django.mo"


def switch_language(client: Client, language: str, next_url: str = "/") -> None:
    """Follow the language link of the header: the real view sets the cookie."""
    response = client.get(f"/sprache/{language}/", {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language


def text(response: object) -> str:
    assert response.status_code == 200  # type: ignore[attr-defined]
    return response.content.decode()  # type: ignore[attr-defined]


def test_header_offers_the_switch_to_english(client: Client, structure: AllianceStructure) -> None:
    page = text(client.get("/son/"))
    assert (
        '<a href="/sprache/en/?next=/son/" rel="nofollow" lang="en" hreflang="en">English</a>'
        in page
    )
    assert "csrfmiddlewaretoken" not in page


def test_switch_to_english_and_back(client: Client, structure: AllianceStructure) -> None:
    switch_language(client, "en")

    home = text(client.get("/"))
    assert '<html lang="en">' in home
    assert "<h1>Skilled-labour alliances</h1>" in home
    assert "Active alliances" in home
    assert "What is a skilled-labour alliance?" in home
    assert "Steering Committee" in home
    assert "Fachkräftebündnis SüdOstNiedersachsen" in home  # data stays as entered
    assert "Was ist ein Fachkräftebündnis?" not in home
    # The switch now offers the way back, labelled in its own language.
    assert 'href="/sprache/de/?next=/"' in home
    assert ' hreflang="de">Deutsch</a>' in home

    alliance = text(client.get("/son/"))
    assert '<html lang="en">' in alliance
    assert "Current funding phase" in alliance
    assert "More about the alliance" in alliance
    assert ">Fields of action</a>" in alliance
    assert "Steering Committee, Speakers' Circle and Office" in alliance
    assert "€2,000,000.00" in alliance
    assert "Aktuelle Förderphase" not in alliance

    bodies = text(client.get("/son/gremien/"))
    assert "Voting members" in bodies
    assert "Advisory members (non-voting)" in bodies
    assert "Deputy speaker" in bodies  # the seat role (a model choice) is translated too

    partners = text(client.get("/son/partner/"))
    assert "organisations have signed the cooperation agreement" in partners

    switch_language(client, "de")
    home = text(client.get("/"))
    assert '<html lang="de">' in home
    assert "<h1>Fachkräftebündnisse</h1>" in home
    assert "Was ist ein Fachkräftebündnis?" in home
    assert "Skilled-labour alliances" not in home
    alliance = text(client.get("/son/"))
    assert "Aktuelle Förderphase" in alliance
    assert "2.000.000,00 €" in alliance


def test_applicant_portal_in_english(structure: AllianceStructure) -> None:
    project = project_in_state(structure, Status.SKETCH_SUBMITTED, title="Welcome Center")
    client = Client()
    client.force_login(applicant_of(project))
    switch_language(client, "en", "/son/vorhaben/")

    projects = text(client.get("/son/vorhaben/"))
    assert "<h1>My projects</h1>" in projects
    assert "How the procedure works" in projects
    assert ">Next step</th>" in projects
    assert "Short sketch under discussion" in projects  # the public label, msgctxt "public status"
    assert "Welcome Center" in projects  # data stays as entered
    assert "Meine Vorhaben" not in projects
    assert "So läuft das Verfahren" not in projects

    detail = text(client.get(f"/son/vorhaben/{project.reference}/"))
    assert "Total eligible costs" in detail
    assert "Co-financing" in detail
    assert "Förderfähige Gesamtkosten" not in detail


def test_office_board_in_english(
    client_as: Callable[[str], Client], structure: AllianceStructure
) -> None:
    project_in_state(structure, Status.SKETCH_SPEAKERS, title="Stille Reserve")
    client = client_as("office")
    switch_language(client, "en", "/son/intern/vorhaben/")

    board = text(client.get("/son/intern/vorhaben/"))
    assert "<h1>Projects in the procedure</h1>" in board
    assert "Whose turn is it?" in board
    assert "Filter projects" in board
    assert "Discuss short sketches and project descriptions" in board
    assert "Short sketch submitted" in board  # the office's status labels, not the public ones
    assert ">Subsidy requested</th>" in board
    assert ">Projects</a>" in board  # the navigation names the board in the plural
    assert "Vorhaben im Verfahren" not in board
    assert "Wer ist am Zug?" not in board


def test_service_messages_follow_the_language(alliance: Alliance) -> None:
    def create_backwards_phase() -> ValidationError:
        with pytest.raises(ValidationError) as caught:
            services.phase_create(
                actor=None,
                alliance=alliance,
                name="2030–2029",
                starts_on=date(2030, 7, 1),
                ends_on=date(2029, 6, 30),
                virtual_budget=Decimal("1000000.00"),
                funding_rate=Decimal("50.00"),
            )
        return caught.value

    with translation.override("en"):
        english = create_backwards_phase().messages
    assert "The funding phase must end after it starts." in english
    assert not any("Förderphase" in message for message in english)

    german = create_backwards_phase().messages
    assert "Das Ende der Förderphase muss nach ihrem Beginn liegen." in german


def test_rate_message_keeps_its_percent_sign(alliance: Alliance) -> None:
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            services.phase_create(
                actor=None,
                alliance=alliance,
                name="2030–2033",
                starts_on=date(2030, 7, 1),
                ends_on=date(2033, 6, 30),
                virtual_budget=Decimal("1000000.00"),
                funding_rate=Decimal("150.00"),
            )
        # Validator messages stay lazy until read: read them while English is active, as a
        # request would.
        messages = caught.value.messages
    assert "The funding rate must not exceed 100%." in messages


# --- The catalogue ------------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(line: str) -> str:
    body = line.strip()
    assert body.startswith('"') and body.endswith('"'), line
    return re.sub(r"\\(.)", lambda match: _ESCAPES[match.group(1)], body[1:-1])


def parse_po(path: Path) -> list[dict[str, object]]:
    """A tiny PO reader: every entry with its flags, msgid(_plural) and msgstr(s)."""
    entries: list[dict[str, object]] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, object] = {"flags": set(), "msgstr": {}}
        field: tuple[str, int | None] | None = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] = {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#~"):
                field = None  # obsolete entries are not part of the catalogue
                entry["obsolete"] = True
            elif line.startswith("#") or not line.strip():
                continue
            elif match := re.match(
                r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])? (.*)$", line
            ):
                name, index, value = match.groups()
                field = (name, int(index) if index is not None else None)
                if name == "msgstr":
                    entry["msgstr"][field[1]] = _unquote(value)  # type: ignore[index]
                else:
                    entry[name] = _unquote(value)
            else:
                assert field is not None, line
                name, index = field
                if name == "msgstr":
                    entry["msgstr"][index] += _unquote(line)  # type: ignore[index]
                else:
                    entry[name] = str(entry[name]) + _unquote(line)
        if "msgid" in entry:
            entries.append(entry)
    return entries


def test_catalogue_is_complete() -> None:
    entries = parse_po(PO_FILE)
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == ""
    assert "Language: en" in str(header["msgstr"][None])  # type: ignore[index]
    assert "fuzzy" not in header["flags"]  # type: ignore[operator]
    assert len(messages) > 250
    assert not [e["msgid"] for e in messages if e.get("obsolete")]
    assert not [e["msgid"] for e in messages if "fuzzy" in e["flags"]]  # type: ignore[operator]
    untranslated = [
        e["msgid"]
        for e in messages
        if not e["msgstr"] or not all(e["msgstr"].values())  # type: ignore[attr-defined]
    ]
    assert untranslated == []
    for e in messages:
        if "msgid_plural" in e:
            assert set(e["msgstr"]) == {0, 1}, e["msgid"]  # type: ignore[arg-type]


def test_catalogue_keeps_every_placeholder() -> None:
    placeholder = re.compile(r"%\([a-z_]+\)[sd]|%%|%[sd]")
    for e in parse_po(PO_FILE)[1:]:
        source = sorted(placeholder.findall(str(e.get("msgid_plural", e["msgid"]))))
        for translated in e["msgstr"].values():  # type: ignore[attr-defined]
            assert sorted(placeholder.findall(translated)) == source, e["msgid"]


def test_compiled_catalogue_matches_the_po_file() -> None:
    """The .mo is committed (fresh machines need no gettext): it must not lag behind the .po."""
    with MO_FILE.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    for e in parse_po(PO_FILE)[1:]:
        msgstr: dict[int | None, str] = e["msgstr"]  # type: ignore[assignment]
        # pgettext entries live under "context\x04msgid" in the compiled catalogue.
        key = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else str(e["msgid"])
        if "msgid_plural" in e:
            for index, translated in msgstr.items():
                assert catalog[(key, index)] == translated, e["msgid"]
        else:
            assert catalog[key] == msgstr[None], e["msgid"]


def test_msgfmt_accepts_the_catalogue() -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed; the pure-Python checks above still ran")
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own file
        [msgfmt, "--check-format", "--statistics", "-o", "/dev/null", str(PO_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr
