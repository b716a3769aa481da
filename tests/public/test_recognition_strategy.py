"""The public alliance page with the current phase's recognition and strategy, and the phase
history with each recognised phase's recognition and figures. Phases the ministry has not (yet)
recognised never appear; the pages are the same for everyone (publicly cached) and cost a pinned
number of queries."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from buendnis.alliances.models import FundingPhase, RecognitionStatus
from buendnis.funding.states import Status
from buendnis.renewal.models import RecognitionOutcome, StrategyVersion

from ..conftest import PERSONAS
from ..factories import (
    ActionFieldFactory,
    AgreementFactory,
    AllianceStructure,
    PhaseFactory,
    RecognitionDecisionFactory,
    StrategyFactory,
    StrategyVersionFactory,
    TopicFactory,
    project_in_state,
)

pytestmark = pytest.mark.django_db

MINISTRY_2021 = "Niedersächsisches Ministerium für Wirtschaft, Arbeit, Verkehr und Digitalisierung"
MINISTRY_2023 = "Niedersächsisches Ministerium für Wirtschaft, Verkehr, Bauen und Digitalisierung"
DRAFT = "Entwurf 2027–2030"


@dataclass
class Cycle:
    structure: AllianceStructure
    version: StrategyVersion
    draft: FundingPhase


@pytest.fixture
def cycle(structure: AllianceStructure) -> Cycle:
    """The current phase recognised with a reference, by a decision naming the ministry of its
    day; its strategy adopted, in two versions; and the next phase in preparation, with its own
    strategy, fields and a partner who signed already."""
    phase = structure.phase
    phase.recognition_reference = "MW 31-00452/2021"
    phase.save()
    # The recognising decision of 2021 names the ministry of then; the alliance's own field the
    # one of now (the page prefers the decision).
    RecognitionDecisionFactory(phase=phase, authority=MINISTRY_2021, decided_on=date(2021, 6, 15))
    structure.alliance.recognising_authority = MINISTRY_2023
    structure.alliance.save()

    strategy = StrategyFactory(phase=phase, adopted_on=date(2021, 6, 1))
    StrategyVersionFactory(strategy=strategy, number=1, analysis="Alte Fassung der Analyse.")
    version = StrategyVersionFactory(
        strategy=strategy,
        number=2,
        analysis="Die Region altert.\n\nBis 2030 fehlen 20.000 Fachkräfte.",
        review="Zehn Projekte wurden gefördert.",
        fields_intro="Drei Handlungsfelder und ein offenes Feld.",
        working_methods="Der Steuerkreis entscheidet einvernehmlich.",
    )

    draft = PhaseFactory(
        alliance=structure.alliance,
        name=DRAFT,
        starts_on=date(phase.ends_on.year, 7, 1),
        ends_on=date(phase.ends_on.year + 3, 6, 30),
        virtual_budget=Decimal("2750000.00"),
        recognition_status=RecognitionStatus.APPLIED,
        recognition_reference="Entwurfs-Aktenzeichen",
    )
    draft_field = ActionFieldFactory(phase=draft, title="Entwurfs-Handlungsfeld")
    TopicFactory(action_field=draft_field, title="Entwurfs-Thema")
    StrategyVersionFactory(strategy__phase=draft, analysis="Entwurfs-Analyse der Region.")
    AgreementFactory(phase=draft, organisation=structure.organisations["arl"])
    return Cycle(structure=structure, version=version, draft=draft)


def text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


# --- The alliance page ------------------------------------------------------------------------


def test_alliance_page_shows_the_recognition_of_the_current_phase(
    client: Client, cycle: Cycle
) -> None:
    page = text(client.get("/son/"))
    panel = page.split('id="phase"')[1].split('id="geschaeftsstelle"')[0]
    assert "<dt>Anerkannt durch</dt><dd>" + MINISTRY_2021 + "</dd>" in panel
    assert MINISTRY_2023 not in page
    assert '<time datetime="2021-06-15">15.06.2021</time>' in panel
    assert "<dd>MW 31-00452/2021</dd>" in panel
    assert "2.000.000,00 €" in panel
    assert "70 %" in panel


def test_the_latest_recognising_decision_names_the_authority(client: Client, cycle: Cycle) -> None:
    phase = cycle.structure.phase
    RecognitionDecisionFactory(phase=phase, authority="Ein späteres Ministerium")
    # A refusal or a request for changes recognises nothing.
    RecognitionDecisionFactory(
        phase=phase, outcome=RecognitionOutcome.REFUSED, authority="Ablehnendes Ministerium"
    )
    page = text(client.get("/son/"))
    assert "<dd>Ein späteres Ministerium</dd>" in page
    assert "Ablehnendes Ministerium" not in page
    assert MINISTRY_2021 not in page


def test_without_a_decision_the_alliance_names_the_authority(
    client: Client, structure: AllianceStructure
) -> None:
    # build_alliance_structure records the alliance's recognising authority, but no decisions.
    page = text(client.get("/son/"))
    assert f"<dt>Anerkannt durch</dt><dd>{MINISTRY_2021}</dd>" in page


def test_alliance_page_shows_the_newest_strategy_under_headings(
    client: Client, cycle: Cycle
) -> None:
    page = text(client.get("/son/"))
    section = page.split('<section class="strategy"')[1].split("</section>")[0]
    name = cycle.structure.phase.name
    assert f'<h2 id="strategie">Regionale Fachkräftestrategie {name}</h2>' in section
    assert "Fassung 2, beschlossen vom Steuerkreis am 01.06.2021" in section
    headings = re.findall(r"<h3[^>]*>([^<]+)</h3>", section)
    assert headings == [
        "Analyse der Region",
        "Rückblick auf die vorige Förderphase",
        "Handlungsfelder und Themen",
        "Arbeitsweise des Bündnisses",
    ]
    # Paragraphs as written; the newest version only.
    assert "<p>Die Region altert.</p>" in section
    assert "<p>Bis 2030 fehlen 20.000 Fachkräfte.</p>" in section
    assert "Alte Fassung" not in page
    assert "Zehn Projekte wurden gefördert." in section
    assert "Drei Handlungsfelder und ein offenes Feld." in section
    assert "Der Steuerkreis entscheidet einvernehmlich." in section
    # The fields of action and their topics are the phase's rows, nested topics included.
    for title in (
        "Beratungsinfrastruktur",
        "Digitalisierung / Innovation",
        "Rekrutierung und Matching",
        "Weitere Themen",
        "Absolventen und Studienabbrecher für KMU gewinnen",
        "Nonformale Kompetenzen Geflüchteter nutzbar machen",
    ):
        assert title in section
    # Heading order: the page's h1, the panels' h2, the strategy's h2 and h3 in turn.
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", page.split("<main")[1])]
    assert levels[0] == 1
    assert all(after - before <= 1 for before, after in zip(levels, levels[1:], strict=False))


def test_a_strategy_not_yet_adopted_says_so(client: Client, cycle: Cycle) -> None:
    StrategyFactory._meta.model.objects.filter(pk=cycle.version.strategy_id).update(adopted_on=None)
    page = text(client.get("/son/"))
    assert "Fassung 2, noch nicht vom Steuerkreis beschlossen" in page
    assert "beschlossen vom Steuerkreis am" not in page


def test_empty_sections_are_left_out(client: Client, structure: AllianceStructure) -> None:
    StrategyVersionFactory(
        strategy__phase=structure.phase, analysis="Nur die Analyse.", review="", working_methods=""
    )
    page = text(client.get("/son/"))
    assert "Nur die Analyse." in page
    assert "Rückblick auf die vorige Förderphase" not in page
    assert "Arbeitsweise des Bündnisses" not in page
    # The fields of action are the strategy's core: always listed.
    assert "Handlungsfelder und Themen" in page


def test_without_a_strategy_there_is_no_strategy_section(
    client: Client, structure: AllianceStructure
) -> None:
    page = text(client.get("/son/"))
    assert "Regionale Fachkräftestrategie" not in page
    assert 'class="strategy"' not in page


def test_strategy_text_is_escaped(client: Client, structure: AllianceStructure) -> None:
    StrategyVersionFactory(
        strategy__phase=structure.phase, analysis='<script>alert("x")</script> & mehr'
    )
    page = text(client.get("/son/"))
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; mehr" in page


# --- The phase history ------------------------------------------------------------------------


def history_rows(page: str, caption: str) -> list[list[str]]:
    """The body rows of the table with this caption, as the texts of their cells."""
    table = page.split(f"<caption>{caption}</caption>")[1].split("</table>")[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)[1:]:
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        rows.append([re.sub(r"<[^>]+>", "", cell).strip() for cell in cells])
    return rows


def test_history_lists_every_recognised_phase_with_its_recognition(
    client: Client, cycle: Cycle
) -> None:
    structure = cycle.structure
    RecognitionDecisionFactory(phase=structure.previous_phase, authority="Ministerium 2018")
    structure.previous_phase.recognition_reference = "MW 31-00117/2018"
    structure.previous_phase.save()

    rows = history_rows(text(client.get("/son/foerderphasen/")), "Alle Förderphasen des Bündnisses")

    # Phase, period, budget, rate, possible volume, recognised on, reference, by whom, partners.
    assert [row[0] for row in rows] == ["2015–2018", "2018–2021", f"{structure.phase.name} aktuell"]
    assert rows[0][5:] == ["05.06.2015", "–", MINISTRY_2023, "6"]
    assert rows[1][5:] == ["05.06.2018", "MW 31-00117/2018", "Ministerium 2018", "8"]
    assert rows[2][5:] == ["15.06.2021", "MW 31-00452/2021", MINISTRY_2021, "9"]
    assert rows[2][2:4] == ["2.000.000,00 €", "70 %"]


def test_history_shows_what_each_phase_came_to(client: Client, cycle: Cycle) -> None:
    structure = cycle.structure
    # Current phase (70 %): one granted (100 000 committed), one endorsed (140 000 reserved), one
    # still a sketch (nothing yet); previous phase (50 %): one closed (80 000 paid). Every project
    # has 200 000 eligible costs.
    project_in_state(structure, Status.GRANTED, granted_amount=Decimal("100000.00"))
    project_in_state(structure, Status.ENDORSED)
    project_in_state(structure, Status.SKETCH_SUBMITTED)
    project_in_state(structure.previous_phase, Status.CLOSED, final_grant=Decimal("80000.00"))

    page = text(client.get("/son/foerderphasen/"))
    rows = history_rows(page, "Budget und geförderte Projekte je Förderphase")

    # Phase, budget with changes, distributed, of which paid, projects funded, volume.
    assert rows == [
        ["2015–2018", "1.500.000,00 €", "0,00 €", "0,00 €", "0", "0,00 €"],
        ["2018–2021", "1.500.000,00 €", "80.000,00 €", "80.000,00 €", "1", "200.000,00 €"],
        [
            f"{structure.phase.name} aktuell",
            "2.000.000,00 €",
            "240.000,00 €",
            "0,00 €",
            "2",
            "400.000,00 €",
        ],
        # The totals (tfoot).
        ["Alle Förderphasen", "5.000.000,00 €", "320.000,00 €", "80.000,00 €", "3", "600.000,00 €"],
    ]


def test_history_tables_are_accessible(client: Client, cycle: Cycle) -> None:
    page = text(client.get("/son/foerderphasen/"))
    main = page.split("<main")[1]
    assert main.count("<caption>") == 2
    assert 'scope="col"' in main
    # Every row names its phase in a row header; no cell without a label on a small screen.
    assert main.count('<th scope="row"') == 3 + 3 + 1
    assert "<td>" not in main and "<th>" not in main
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", main)]
    assert levels == [1, 2, 2]


# --- Phases not yet recognised ------------------------------------------------------------------

PUBLIC_PAGES = [
    "/son/",
    "/son/foerderphasen/",
    "/son/handlungsfelder/",
    "/son/partner/",
    "/son/budget/",
    "/son/projekte/",
]
DRAFT_MARKS = [DRAFT, "Entwurfs-Aktenzeichen", "Entwurfs-Handlungsfeld", "Entwurfs-Thema"]
DRAFT_MARKS += ["Entwurfs-Analyse", "2.750.000,00 €"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_draft_phases_never_appear_publicly(
    client_as: Callable[[str], Client], cycle: Cycle, persona: str
) -> None:
    # Public pages are the same for everyone, the internal circle included.
    client = client_as(persona)
    for url in PUBLIC_PAGES:
        page = text(client.get(url))
        assert [mark for mark in DRAFT_MARKS if mark in page] == [], url


@pytest.mark.parametrize(
    "status",
    [status for status in RecognitionStatus.values if status != RecognitionStatus.RECOGNISED],
)
def test_no_unrecognised_status_is_public(client: Client, cycle: Cycle, status: str) -> None:
    FundingPhase.objects.filter(pk=cycle.draft.pk).update(recognition_status=status)
    for url in ("/son/", "/son/foerderphasen/"):
        assert DRAFT not in text(client.get(url))
    # Once recognised, it is history like every other phase.
    FundingPhase.objects.filter(pk=cycle.draft.pk).update(
        recognition_status=RecognitionStatus.RECOGNISED
    )
    assert DRAFT in text(client.get("/son/foerderphasen/"))


def test_a_running_draft_does_not_replace_the_current_phase(client: Client, cycle: Cycle) -> None:
    # A phase in preparation that already covers today: the recognised one stays current.
    FundingPhase.objects.filter(pk=cycle.draft.pk).update(starts_on=date(2022, 1, 1))
    page = text(client.get("/son/"))
    assert cycle.structure.phase.name in page
    assert DRAFT not in page


def test_pages_are_publicly_cached(client: Client, cycle: Cycle) -> None:
    for url in ("/son/", "/son/foerderphasen/"):
        response = client.get(url)
        assert "public" in response["Cache-Control"]
        assert not response.cookies


# --- Queries --------------------------------------------------------------------------------------

QUERIES = {
    # alliance by slug; phases with partner count (current picked in Python); who recognised the
    # current phase; the newest version of its strategy (strategy joined); its fields of action;
    # all their topics
    "/son/": 6,
    # alliance; phases with partner count; who recognised them; the ledger's columns by phase;
    # the projects (number and volume) by phase and state; their co-financing by phase (read
    # along by funding.figures.projects_by_phase, not shown)
    "/son/foerderphasen/": 6,
}


def grow(cycle: Cycle) -> None:
    """More of everything the pages read: phases (recognised and not), decisions, versions,
    fields, topics, projects."""
    structure = cycle.structure
    for number in range(5):
        phase = PhaseFactory(
            alliance=structure.alliance,
            name=f"Frühe Phase {number}",
            starts_on=date(2000 + 2 * number, 1, 1),
            ends_on=date(2001 + 2 * number, 12, 31),
        )
        RecognitionDecisionFactory(phase=phase, authority=f"Ministerium {number}")
        RecognitionDecisionFactory(phase=structure.phase, authority=f"Neueres Ministerium {number}")
        StrategyVersionFactory(strategy=cycle.version.strategy, number=3 + number)
        field = ActionFieldFactory(phase=structure.phase, title=f"Neues Feld {number}")
        TopicFactory(action_field=field, title=f"Neues Thema {number}")
        PhaseFactory(
            alliance=structure.alliance,
            name=f"Weiterer Entwurf {number}",
            recognition_status=RecognitionStatus.DRAFT,
            starts_on=date(2040 + 2 * number, 1, 1),
            ends_on=date(2041 + 2 * number, 12, 31),
        )
    project_in_state(structure, Status.GRANTED)
    project_in_state(structure.previous_phase, Status.ENDORSED)


@pytest.mark.parametrize("url", list(QUERIES))
def test_query_counts_are_pinned_and_do_not_grow(
    client: Client, cycle: Cycle, django_assert_num_queries: DjangoAssertNumQueries, url: str
) -> None:
    with django_assert_num_queries(QUERIES[url]):
        assert client.get(url).status_code == 200
    grow(cycle)
    with django_assert_num_queries(QUERIES[url]):
        response = client.get(url)
    page = text(response)
    assert ("Neues Thema 4" if url == "/son/" else "Frühe Phase 4") in page
    assert "Weiterer Entwurf" not in page


def test_without_a_current_phase(client: Client, other_alliance: object) -> None:
    # No phase at all: the alliance, its (empty) phases; nothing else is asked.
    for url in ("/leine-weser/", "/leine-weser/foerderphasen/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Für dieses Bündnis ist noch keine Förderphase veröffentlicht." in text(response)


def test_in_english(client: Client, cycle: Cycle) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    home = text(client.get("/son/"))
    assert "Regional skills strategy" in home
    assert "Version 2, adopted by the Steering Committee on" in home
    assert "<dt>Recognised by</dt>" in home
    history = text(client.get("/son/foerderphasen/"))
    assert "Budget and funded projects per funding phase" in history
    assert "€5,000,000.00" in history
