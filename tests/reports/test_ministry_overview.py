"""The ministry's overview across every alliance (/ministerium/): figures per alliance and phase,
the recognition status, filters, sorting, paging, charts, the XLSX, who may open it and a pinned
number of queries."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client, override_settings
from pytest_django import DjangoAssertNumQueries

from buendnis.alliances.models import Alliance, FundingPhase, RecognitionStatus
from buendnis.funding.states import Status
from buendnis.reports import overview
from buendnis.reports.overview import STAGES, overview_rows

from ..factories import (
    AllianceFactory,
    PhaseFactory,
    build_alliance_structure,
    project_in_state,
)
from .ministry_story import (
    LW_CURRENT,
    LW_CURRENT_STATUSES,
    SON_CURRENT,
    SON_CURRENT_STATUSES,
    Platform,
    build_platform,
)

URL = "/ministerium/"
XLSX_URL = "/ministerium/uebersicht.xlsx"
MINISTRY = "Niedersächsisches Ministerium für Wirtschaft, Verkehr, Bauen und Digitalisierung"


@pytest.fixture
def platform(alliance: Alliance, other_alliance: Alliance) -> Platform:
    return build_platform(alliance, other_alliance)


def text_of(response: Any) -> str:
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def table_rows(response: Any) -> list[str]:
    """The text of each row of the phases' table, in order."""
    html = response.content.decode()
    table = re.search(r'<table class="table-stack overview-table".*?</table>', html, flags=re.S)
    assert table is not None
    body = table.group(0)[table.group(0).index("<tbody>") :]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr\b.*?</tr>", body, flags=re.S)
    ]


def figures_of(row: overview.OverviewRow) -> dict[str, Any]:
    return {
        "budget": row.budget.budget,
        "reserved": row.budget.reserved,
        "committed": row.budget.committed,
        "paid": row.budget.paid,
        "available": row.budget.available,
        "volume": row.projects.volume,
        "grants": row.grants,
        "co_financing": row.projects.co_financing,
        "leverage": row.leverage,
        "participants": (
            row.projects.planned_participants,
            row.projects.participants_entered,
            row.projects.participants_exited,
        ),
    }


def nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {status: number for status, number in counts.items() if number}


# --- The figures ------------------------------------------------------------------------------


def test_figures_per_alliance_and_phase(platform: Platform) -> None:
    rows = overview_rows()
    by_key = {(row.alliance.slug, row.phase.name): row for row in rows}
    # Every phase of both alliances, drafts and applications included; by alliance name, start.
    assert [(row.alliance.slug, row.phase.name) for row in rows] == [
        ("leine-weser", "2015–2018"),
        ("leine-weser", "2018–2021"),
        ("leine-weser", platform.lw.phase.name),
        ("leine-weser", "Folgephase"),
        ("son", "2015–2018"),
        ("son", "2018–2021"),
        ("son", platform.son.phase.name),
        ("son", "Folgephase"),
        ("son", "Entwurf"),
    ]
    son = by_key[("son", platform.son.phase.name)]
    assert figures_of(son) == SON_CURRENT
    assert nonzero(son.projects.by_status) == SON_CURRENT_STATUSES
    assert set(son.projects.by_status) == set(Status.values)  # every state, zero where none
    assert son.projects.total == 7
    assert son.is_current

    lw = by_key[("leine-weser", platform.lw.phase.name)]
    assert figures_of(lw) == LW_CURRENT
    assert nonzero(lw.projects.by_status) == LW_CURRENT_STATUSES
    assert lw.is_current
    # The stages add the states up.
    assert {stage.key: stage.count for stage in lw.stages} == {
        "preparation": 1,
        "procedure": 0,
        "endorsed": 0,
        "granted": 1,
        "closed": 1,
        "ended": 1,
    }

    earlier = by_key[("leine-weser", "2018–2021")]
    assert (earlier.budget.reserved, earlier.budget.available, earlier.volume) == (
        Decimal("40000.00"),
        Decimal("1460000.00"),
        Decimal("80000.00"),
    )
    assert not earlier.is_current
    # A phase without projects: its budget, nothing else.
    empty = by_key[("son", "2015–2018")]
    assert (empty.budget.available, empty.projects.total, empty.leverage) == (
        Decimal("1500000.00"),
        0,
        None,
    )


def test_recognition_status_and_dates(platform: Platform) -> None:
    by_key = {(row.alliance.slug, row.phase.name): row for row in overview_rows()}
    recognised = by_key[("son", platform.son.phase.name)]
    assert (recognised.status, recognised.recognition_date) == (
        RecognitionStatus.RECOGNISED,
        platform.son.phase.recognised_on,
    )
    applied = by_key[("son", "Folgephase")]
    assert (applied.status, applied.status_label, applied.recognition_date) == (
        RecognitionStatus.APPLIED,
        "Verlängerung beantragt",
        platform.applied_on,
    )
    # The applied-for budget; nothing booked, nothing current.
    assert (applied.budget.budget, applied.is_current) == (Decimal("2400000.00"), False)
    draft = by_key[("son", "Entwurf")]
    assert (draft.status, draft.recognition_date, draft.is_current) == (
        RecognitionStatus.DRAFT,
        None,
        False,
    )
    changes = by_key[("leine-weser", "Folgephase")]
    assert (changes.status, changes.recognition_date) == (
        RecognitionStatus.CHANGES_REQUESTED,
        platform.changes_decided_on,
    )


def test_every_state_is_in_exactly_one_stage() -> None:
    listed = [status for _key, _label, states in STAGES for status in states]
    assert sorted(listed) == sorted(Status.values)


def test_periods_sum_the_recognised_phases(platform: Platform) -> None:
    periods = overview.period_figures(overview_rows())
    assert [period.label for period in periods] == [
        "2015–2018",
        "2018–2021",
        f"2021–{platform.son.phase.ends_on.year}",
    ]
    current = periods[-1]
    assert current.phases == 2
    assert current.budget.budget == SON_CURRENT["budget"] + LW_CURRENT["budget"]
    assert current.budget.distributed == SON_CURRENT["grants"] + LW_CURRENT["grants"]
    assert periods[1].budget.reserved == Decimal("40000.00")


# --- The page ---------------------------------------------------------------------------------


def test_page_shows_the_figures_and_the_ministry(
    client_as: Callable[[str], Client], platform: Platform
) -> None:
    response = client_as("ministry").get(URL)
    assert response.status_code == 200
    text = text_of(response)
    assert MINISTRY in text
    assert "Alle Bündnisse im Überblick" in text
    assert "9 Förderphasen" in text
    rows = table_rows(response)
    assert len(rows) == 9
    son = next(row for row in rows if "SüdOstNiedersachsen" in row and "aktuell" in row)
    for part in (
        "2.250.000,00 €",
        "80.000,00 €",
        "120.000,00 €",
        "85.000,00 €",
        "1.965.000,00 €",
        "630.000,00 €",
        "Kofinanzierung 330.000,00 €",
        "2,2",
        "7 Vorhaben",
        "Votum und Förderantrag 2",
        "Nicht gefördert 2",
        "Anerkannt",
        f"am {platform.son.phase.recognised_on:%d.%m.%Y}",
        "Fördersatz 70 %",
    ):
        assert part in son, part
    lw = next(row for row in rows if "Leine-Weser" in row and "aktuell" in row)
    assert "100 geplant 35 Eintritte 30 Austritte" in lw
    assert "2,1" in lw
    applied = next(row for row in rows if "Verlängerung beantragt" in row)
    assert f"beantragt am {platform.applied_on:%d.%m.%Y}" in applied
    assert "2.400.000,00 €" in applied
    changes = next(row for row in rows if "Änderungen erbeten" in row)
    assert f"entschieden am {platform.changes_decided_on:%d.%m.%Y}" in changes
    assert "In Vorbereitung" in next(row for row in rows if "Entwurf" in row)


@override_settings(BUENDNIS_MINISTRY_NAME="Niedersächsisches Ministerium für Wirtschaft, Arbeit")
def test_the_ministry_is_a_setting(client_as: Callable[[str], Client], platform: Platform) -> None:
    text = text_of(client_as("ministry").get(URL))
    assert "Niedersächsisches Ministerium für Wirtschaft, Arbeit" in text
    assert MINISTRY not in text


def test_filter_by_status_and_year(client_as: Callable[[str], Client], platform: Platform) -> None:
    client = client_as("ministry")
    applied = client.get(URL, {"status": "applied"})
    rows = table_rows(applied)
    assert len(rows) == 1 and "SüdOstNiedersachsen" in rows[0] and "Folgephase" in rows[0]
    assert "1 Förderphase" in text_of(applied)
    # The filter names how many phases each status has.
    html = client.get(URL).content.decode()
    assert '<option value="recognised">Anerkannt (6)</option>' in html
    assert '<option value="draft">In Vorbereitung (1)</option>' in html
    recognised = table_rows(client.get(URL, {"status": "recognised"}))
    assert len(recognised) == 6 and all("Anerkannt" in row for row in recognised)
    # Phases that run in 2017: the first phase of each alliance.
    in_2017 = table_rows(client.get(URL, {"year": "2017"}))
    assert len(in_2017) == 2 and all("2015–2018" in row for row in in_2017)
    # 2018: the first two phases of each alliance (one ends, one begins).
    assert len(table_rows(client.get(URL, {"year": "2018"}))) == 4
    nothing = client.get(URL, {"status": "refused"})
    assert "Keine Förderphase passt zu diesem Filter." in text_of(nothing)
    # Unknown values are left out, not an error.
    assert len(table_rows(client.get(URL, {"status": "kaputt", "year": "x"}))) == 9


def test_sorting_by_column(client_as: Callable[[str], Client], platform: Platform) -> None:
    client = client_as("ministry")
    by_available = table_rows(client.get(URL, {"sort": "-available"}))
    # The largest available budget first: Leine-Weser's next phase (3.000.000,00 €).
    assert "Leine-Weser" in by_available[0] and "3.000.000,00 €" in by_available[0]
    assert "SüdOstNiedersachsen" in by_available[-1] and "Entwurf" in by_available[-1]
    ascending = table_rows(client.get(URL, {"sort": "available"}))
    assert "Entwurf" in ascending[0] and "3.000.000,00 €" in ascending[-1]
    # Ties keep the default order (alliance, start) either way: four phases of 1.500.000,00 €.
    ties = [row for row in ascending if "1.500.000,00 € keine" in row]
    assert ties == [row for row in by_available if "1.500.000,00 € keine" in row]
    assert "Leine-Weser 2015–2018" in ties[0] and "SüdOstNiedersachsen 2018–2021" in ties[-1]
    # Leverage: phases without grants come last either way.
    by_leverage = table_rows(client.get(URL, {"sort": "-leverage"}))
    assert "SüdOstNiedersachsen" in by_leverage[0] and "2,2" in by_leverage[0]
    assert "Leine-Weser" in by_leverage[1] and "2,1" in by_leverage[1]
    by_leverage_up = table_rows(client.get(URL, {"sort": "leverage"}))
    assert "2,0" in by_leverage_up[0]  # Leine-Weser's earlier phase: 80.000 on 40.000
    assert "2,2" in by_leverage_up[2]
    # The status column sorts in the order of the procedure: draft first.
    by_status = table_rows(client.get(URL, {"sort": "status"}))
    assert "Entwurf" in by_status[0]
    # Unknown columns fall back to the default order.
    assert table_rows(client.get(URL, {"sort": "kaputt"})) == table_rows(client.get(URL))


def test_headers_link_the_sort_and_say_it(
    client_as: Callable[[str], Client], platform: Platform
) -> None:
    client = client_as("ministry")
    html = client.get(URL, {"sort": "-available", "status": "recognised"}).content.decode()
    headers = re.findall(r'<th scope="col"[^>]*>.*?</th>', html[: html.index("</thead>")])
    assert len(headers) == 12
    sorted_headers = [header for header in headers if "aria-sort" in header]
    assert len(sorted_headers) == 1
    [available] = sorted_headers
    assert 'aria-sort="descending"' in available
    # The next click sorts ascending and keeps the filter.
    assert 'href="?status=recognised&amp;sort=available"' in available
    budget = next(header for header in headers if ">Budget<" in header)
    assert 'href="?status=recognised&amp;sort=budget"' in budget
    # Phones show no table headers: the form offers the same orders.
    assert '<option value="-available" selected>Verfügbar, absteigend</option>' in html
    default = client.get(URL).content.decode()
    assert 'aria-sort="ascending"' in default
    assert 'href="?sort=-alliance"' in default


def test_rows_are_paged_fifty_at_a_time(
    client_as: Callable[[str], Client], platform: Platform
) -> None:
    for number in range(45):
        extra = AllianceFactory(slug=f"zusatz-{number:02d}", name=f"Zusatzbündnis {number:02d}")
        PhaseFactory(alliance=extra)
    client = client_as("ministry")
    first = client.get(URL)
    assert len(table_rows(first)) == 50
    text = text_of(first)
    assert "54 Förderphasen" in text and "Seite 1 von 2" in text
    second = client.get(URL, {"page": 2, "sort": "-budget"})
    assert len(table_rows(second)) == 4
    assert 'href="?sort=-budget&amp;page=1"' in second.content.decode()


def test_charts_are_accessible_svg(client_as: Callable[[str], Client], platform: Platform) -> None:
    html = client_as("ministry").get(URL).content.decode()
    charts = re.findall(r"<svg\b[^>]*>.*?</svg>", html, flags=re.S)
    assert len(charts) == 2
    for chart in charts:
        opening = chart[: chart.index(">")]
        assert 'role="img"' in opening
        labelled = re.search(r'aria-labelledby="([^"]+)"', opening)
        assert labelled is not None
        title_id, desc_id = labelled.group(1).split()
        assert re.search(rf'<title id="{title_id}">[^<]+</title>', chart)
        assert re.search(rf'<desc id="{desc_id}">[^<]+</desc>', chart)
        assert not re.search(r'(x|width)="\d+,\d+%"', chart)
    alliances, periods = charts
    # One bar per alliance's current phase, each its own budget.
    assert "Fachkräftebündnis Leine-Weser: Von 2.000.000,00 € sind 40.000,00 € ausgezahlt" in (
        " ".join(alliances.split())
    )
    assert 'fill="url(#alliances-hatch)"' in alliances
    assert "2.250.000,00 € Budget, 12,7 % vergeben" in alliances
    # The trend: three periods, the largest budget the full width.
    assert periods.count('stroke="#48525e" stroke-width="2"/>') == 3
    assert 'width="100.000%" height="20" fill="none"' in periods
    # Tables with the charts' figures (the text alternative), and nothing inline.
    assert "Zahlen zur Grafik der aktuellen Förderphasen" in html
    assert "Zahlen zur Grafik der Förderperioden" in html
    assert " style=" not in html
    assert "<script>" not in html


def test_header_and_start_page_link_the_overview(
    client_as: Callable[[str], Client], platform: Platform
) -> None:
    link = 'href="/ministerium/"'
    for persona in ("ministry", "admin"):
        client = client_as(persona)
        assert link in client.get("/").content.decode()
        assert link in client.get("/son/intern/budget/").content.decode()
    for persona in ("public", "office", "outsider"):
        client = client_as(persona)
        assert link not in client.get("/").content.decode()
        assert link not in client.get("/son/").content.decode()
    assert 'aria-current="page">Alle Bündnisse im Überblick' in (
        client_as("ministry").get(URL).content.decode()
    )


# --- The XLSX ---------------------------------------------------------------------------------


def test_xlsx_has_the_rows_with_numbers(
    client_as: Callable[[str], Client], platform: Platform
) -> None:
    from openpyxl import load_workbook

    response = client_as("ministry").get(XLSX_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="buendnisse-uebersicht.xlsx"'
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert len(data) == 9
    assert header[:3] == ("Bündnis", "Förderphase", "Beginn")
    column = {name: index for index, name in enumerate(header)}
    son = next(
        row
        for row in data
        if row[0] == "Fachkräftebündnis SüdOstNiedersachsen" and row[1] == platform.son.phase.name
    )
    assert son[column["Verfügbar (€)"]] == 1965000
    assert son[column["Budget mit Budgetänderungen (€)"]] == 2250000
    assert son[column["Projektvolumen (€)"]] == 630000
    assert son[column["Hebel"]] == 2.2
    assert son[column["Vorhaben"]] == 7
    assert son[column["Anerkennung"]] == "Anerkannt"
    assert son[column["Aktuelle Förderphase"]] == "ja"
    assert son[column["Beginn"]].date() == date(2021, 7, 1)
    lw = next(row for row in data if row[0] == "Fachkräftebündnis Leine-Weser" and row[4] == "ja")
    assert (
        lw[column["Teilnehmende geplant"]],
        lw[column["Eintritte"]],
        lw[column["Austritte"]],
    ) == (100, 35, 30)
    # Euros are formatted as euros, days as days.
    cells = list(sheet.iter_rows(min_row=2, max_row=2))[0]
    assert cells[column["Verfügbar (€)"]].number_format == '#,##0.00 "€"'
    assert cells[column["Beginn"]].number_format == "DD.MM.YYYY"
    assert workbook.properties.creator == MINISTRY


def test_xlsx_follows_the_selection(client_as: Callable[[str], Client], platform: Platform) -> None:
    from openpyxl import load_workbook

    response = client_as("ministry").get(XLSX_URL, {"status": "recognised", "sort": "-budget"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    data = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(data) == 6
    assert data[0][0] == "Fachkräftebündnis SüdOstNiedersachsen"  # 2.250.000,00 € first
    # The page links the file with the same selection.
    html = client_as("admin").get(URL, {"status": "recognised", "sort": "-budget"}).content
    assert b'href="/ministerium/uebersicht.xlsx?status=recognised&amp;sort=-budget"' in html


# --- Access -----------------------------------------------------------------------------------

ACCESS = [
    ("public", 302),
    ("office", 403),
    ("speaker", 403),
    ("member", 403),
    ("advisory", 403),
    ("applicant", 403),
    ("outsider", 403),
    ("ministry", 200),
    ("admin", 200),
]


@pytest.mark.parametrize("url", [URL, XLSX_URL])
@pytest.mark.parametrize(("persona", "status"), ACCESS)
def test_access_per_persona(
    client_as: Callable[[str], Client], platform: Platform, persona: str, status: int, url: str
) -> None:
    response = client_as(persona).get(url, {"status": "recognised"})
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == (f"/konto/anmelden/?next={url}%3Fstatus%3Drecognised")
    if status == 403:
        assert (
            "Die Übersicht über alle Bündnisse ist dem Ministerium und der Plattformverwaltung "
            "vorbehalten." in response.content.decode()
        )
        assert "Leine-Weser" not in response.content.decode()


@pytest.mark.django_db
def test_demo_ministry_is_refused_in_production(client_as: Callable[[str], Client]) -> None:
    from buendnis.accounts.models import User

    User.objects.filter(username="ministry").delete()
    client = client_as("ministry")
    User.objects.filter(username="ministry").update(is_demo=True)
    with override_settings(BUENDNIS_ALLOW_DEMO_LOGINS=False):
        # The demo login is worth nothing: back to the login, no figures.
        response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/anmelden/")


@pytest.mark.parametrize("url", [URL, XLSX_URL])
def test_only_reading(client_as: Callable[[str], Client], platform: Platform, url: str) -> None:
    assert client_as("ministry").post(url).status_code == 405


# --- Queries ----------------------------------------------------------------------------------

# Session; user; the session's verified app (two-factor check, django-otp's OTPMiddleware); the
# header's count of unread notifications. Then the overview: the phases with
# their alliance and the day of the ministry's latest decision; the ledger's sums by phase; the
# projects by phase and state (count, volume, participants); the co-financing by phase. The page
# (not the file) also lists the applications waiting for a decision, with their alliance. Both
# read the participants reached by phase (running projects' figures so far).
OVERVIEW_QUERIES = 4 + 5 + 1


@pytest.mark.parametrize("url", [URL, XLSX_URL])
def test_query_count_is_pinned_and_constant(
    client_as: Callable[[str], Client],
    platform: Platform,
    django_assert_num_queries: DjangoAssertNumQueries,
    url: str,
) -> None:
    client = client_as("ministry")
    # A file has no header and no list of waiting applications.
    expected = OVERVIEW_QUERIES if url == URL else OVERVIEW_QUERIES - 2
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    # A third alliance with its phases and projects in several states: the same queries.
    third = AllianceFactory(slug="dritte", name="Fachkräftebündnis Drittes")
    structure = build_alliance_structure(third, place="Celle")
    for status in (Status.GRANTED, Status.ENDORSED, Status.SKETCH_SUBMITTED):
        project_in_state(structure, status, title=f"Celle {status}")
    PhaseFactory(
        alliance=third,
        name="Folgephase",
        starts_on=structure.phase.ends_on.replace(day=1, month=7),
        ends_on=date(structure.phase.ends_on.year + 3, 6, 30),
        recognition_status=RecognitionStatus.APPLIED,
    )
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    if url == URL:
        assert "13 Förderphasen" in text_of(response)


def test_the_applications_waiting_for_the_ministry_are_listed_first(
    client_as: Callable[[str], Client], platform: Platform
) -> None:
    waiting = list(FundingPhase.objects.filter(recognition_status=RecognitionStatus.APPLIED))
    assert waiting  # the platform has an application with the ministry
    html = client_as("ministry").get(URL).content.decode()
    assert "Anträge, die auf Ihre Entscheidung warten" in html
    for phase in waiting:
        assert f"/{phase.alliance.slug}/intern/phasen/{phase.pk}/" in html
    FundingPhase.objects.filter(pk__in=[phase.pk for phase in waiting]).update(
        recognition_status=RecognitionStatus.DRAFT
    )
    html = client_as("admin").get(URL).content.decode()
    assert "Zurzeit wartet kein Antrag auf eine Entscheidung." in html
