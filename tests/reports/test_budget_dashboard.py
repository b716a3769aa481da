"""The budget dashboard: figures after a sequence of bookings, per field of action, leverage,
the chart, access per persona and a pinned number of queries."""

import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client

from buendnis.budget.selectors import budget_figures
from buendnis.funding.figures import budget_overview, leverage
from buendnis.funding.states import Status

from ..factories import AllianceStructure, project_in_state
from .story import BOOKINGS, BUDGET_EXPECTED, BudgetStory, half_funded

URL = "/son/intern/budget/"


def text_of(response: object) -> str:
    """The page as text, whitespace folded: what a reader sees, without the markup."""
    html = response.content.decode()  # type: ignore[attr-defined]
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- Selectors --------------------------------------------------------------------------------


def test_overview_after_every_kind_of_booking(budget_story: BudgetStory) -> None:
    overview = budget_overview(budget_story.structure.phase)
    figures = overview.figures
    assert figures == budget_figures(budget_story.structure.phase)
    assert (
        figures.budget,
        figures.paid,
        figures.committed,
        figures.reserved,
        figures.available,
    ) == (
        BUDGET_EXPECTED["budget"],
        BUDGET_EXPECTED["paid"],
        BUDGET_EXPECTED["committed"],
        BUDGET_EXPECTED["reserved"],
        BUDGET_EXPECTED["available"],
    )
    assert overview.adjustments == Decimal("250000.00")
    assert overview.volume == BUDGET_EXPECTED["volume"]
    assert overview.grants == BUDGET_EXPECTED["grants"]
    assert overview.leverage == BUDGET_EXPECTED["leverage"]
    assert overview.projects == BUDGET_EXPECTED["projects"]


def test_figures_per_field_of_action(budget_story: BudgetStory) -> None:
    fields = budget_story.structure.fields
    overview = budget_overview(budget_story.structure.phase)
    by_title = {entry.field.title: entry for entry in overview.fields if entry.field}
    # Every field of the phase is listed, the open one last, none without a field.
    assert [entry.field for entry in overview.fields] == fields
    advice = by_title["Beratungsinfrastruktur"]  # closed (final costs 170.000) + endorsed
    assert (advice.projects, advice.paid, advice.committed, advice.reserved) == (
        2,
        Decimal("85000.00"),
        Decimal("0.00"),
        Decimal("50000.00"),
    )
    assert (advice.grants, advice.volume, advice.leverage) == (
        Decimal("135000.00"),
        Decimal("270000.00"),
        Decimal("2.0"),
    )
    digital = by_title["Digitalisierung / Innovation"]  # granted; the withdrawn one does not count
    assert (digital.projects, digital.committed, digital.volume, digital.leverage) == (
        1,
        Decimal("120000.00"),
        Decimal("300000.00"),
        Decimal("2.5"),
    )
    recruiting = by_title["Rekrutierung und Matching"]  # declined and pending: nothing
    assert (recruiting.projects, recruiting.grants, recruiting.volume, recruiting.leverage) == (
        0,
        Decimal("0.00"),
        Decimal("0.00"),
        None,
    )
    open_field = overview.fields[-1]
    assert open_field.field is not None and open_field.field.is_open
    assert (open_field.projects, open_field.reserved, open_field.volume, open_field.leverage) == (
        1,
        Decimal("30000.00"),
        Decimal("60000.00"),
        Decimal("2.0"),
    )
    # The fields add up to the phase (the adjustment belongs to no field).
    assert sum((entry.grants for entry in overview.fields), Decimal(0)) == overview.grants
    assert sum((entry.volume for entry in overview.fields), Decimal(0)) == overview.volume


def test_leverage_rounds_to_one_place_and_needs_grants() -> None:
    assert leverage(Decimal("3000000.00"), Decimal("1500000.00")) == Decimal("2.0")
    assert leverage(Decimal("630000.00"), Decimal("285000.00")) == Decimal("2.2")
    assert leverage(Decimal("100.00"), Decimal("0.00")) is None


@pytest.mark.django_db
def test_empty_phase(structure: AllianceStructure) -> None:
    overview = budget_overview(structure.phase)
    assert overview.figures.available == Decimal("2000000.00")
    assert (overview.volume, overview.projects, overview.leverage) == (Decimal("0.00"), 0, None)
    assert len(overview.fields) == 4


# --- The page -----------------------------------------------------------------------------------


def test_dashboard_shows_the_figures(
    client_as: Callable[[str], Client], budget_story: BudgetStory
) -> None:
    response = client_as("office").get(URL)
    assert response.status_code == 200
    text = text_of(response)
    for amount in (
        "2.250.000,00 €",
        "85.000,00 €",
        "120.000,00 €",
        "80.000,00 €",
        "1.965.000,00 €",
        "630.000,00 €",
        "285.000,00 €",
    ):
        assert amount in text, amount
    assert "Budgetänderungen +250.000,00 €" in text
    assert "Hebel (Projektvolumen je Euro Zuschuss) 2,2" in text
    assert "Vorhaben mit Votum 4" in text
    # Shares of the budget, German style.
    assert "3,8 %" in text  # paid 85.000 of 2.250.000
    # Per field, with the open field.
    assert "Beratungsinfrastruktur" in text and "thematisch offen" in text
    assert "270.000,00 €" in text and "2,5" in text


def test_dashboard_lists_the_ledger_newest_first(
    client_as: Callable[[str], Client], budget_story: BudgetStory
) -> None:
    text = text_of(client_as("office").get(URL))
    assert f"Buchungen ({BOOKINGS})" in text
    bookings = text[text.index("Alle Buchungen der Förderphase") :]
    # The adjustment was booked last, so it comes first; the first reservation comes last.
    assert bookings.index("Erhöhung durch das Ministerium") < bookings.index("Welcome Center")
    assert "Budget +250.000,00 €" in bookings
    assert "Reserviert -10.000,00 €" in bookings  # released: granted less than the Votum
    assert "Ausgezahlt +85.000,00 €" in bookings


def test_ledger_is_paginated(client_as: Callable[[str], Client], budget_story: BudgetStory) -> None:
    structure = budget_story.structure
    for number in range(11):
        project_in_state(
            structure,
            Status.ENDORSED,
            **half_funded(structure, 1, "20000.00", title=f"Mehr {number}"),
        )
    client = client_as("office")
    first = text_of(client.get(URL))
    assert "Buchungen (26)" in first and "Seite 1 von 2" in first and "Ältere Buchungen" in first
    assert "Mehr 10" in first
    second = client.get(URL, {"phase": structure.phase.name, "page": 2})
    text = text_of(second)
    assert "Seite 2 von 2" in text and "Neuere Buchungen" in text
    assert "Mehr 10" not in text and "Welcome Center" in text


def test_phase_is_chosen_by_name(
    client_as: Callable[[str], Client], budget_story: BudgetStory
) -> None:
    structure = budget_story.structure
    client = client_as("office")
    current = client.get(URL).content.decode()
    assert f'aria-current="page">{structure.phase.name}</a>' in current
    old = client.get(URL, {"phase": structure.old_phase.name})
    assert old.status_code == 200
    text = text_of(old)
    assert "Förderphase 2015–2018" in text
    assert "In dieser Förderphase wurde noch nichts gebucht." in text
    assert "1.500.000,00 €" in text
    assert client.get(URL, {"phase": "1999–2002"}).status_code == 404


def test_chart_is_accessible_svg(
    client_as: Callable[[str], Client], budget_story: BudgetStory
) -> None:
    html = client_as("office").get(URL).content.decode()
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
        assert "style=" not in chart  # strict CSP: presentation attributes only
        # Lengths in SVG attributes keep a decimal point in German too.
        assert not re.search(r'(x|width)="\d+,\d+%"', chart)
    budget_chart = charts[0]
    assert "Von 2.250.000,00 € sind 85.000,00 € ausgezahlt" in budget_chart
    assert 'fill="url(#budget-hatch)"' in budget_chart  # committed: hatched, not only a colour
    assert re.search(
        r">Verfügbar</text>\s*<text [^>]*>1.965.000,00 € \(87,3 %\)</text>", budget_chart
    )
    assert "Beratungsinfrastruktur" in charts[1]
    # No inline styles anywhere on the page.
    assert " style=" not in html


def test_chart_widths_follow_the_figures(
    client_as: Callable[[str], Client], budget_story: BudgetStory
) -> None:
    html = client_as("office").get(URL).content.decode()
    chart = re.search(r"<svg\b.*?</svg>", html, flags=re.S).group(0)  # type: ignore[union-attr]
    widths = re.findall(r'<rect x="([\d.]+)%" y="1" width="([\d.]+)%"', chart)
    # paid 85.000, committed 120.000, reserved 80.000 of 2.250.000, side by side from the left.
    assert widths == [("0.000", "3.778"), ("3.778", "5.333"), ("9.111", "3.556")]


# --- Access -----------------------------------------------------------------------------------

ACCESS = [
    ("public", 302),
    ("office", 200),
    ("speaker", 200),
    ("member", 200),
    ("advisory", 200),
    ("ministry", 200),
    ("admin", 200),
    ("applicant", 403),
    ("outsider", 403),
]


@pytest.mark.parametrize(("persona", "status"), ACCESS)
def test_access_per_persona(
    client_as: Callable[[str], Client], structure: AllianceStructure, persona: str, status: int
) -> None:
    response = client_as(persona).get(URL)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/konto/anmelden/?next=/son/intern/budget/")
    if status == 200:
        assert "Stand des virtuellen Budgets" in response.content.decode()
        assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_unknown_alliance_is_404(client_as: Callable[[str], Client]) -> None:
    assert client_as("office").get("/gibt-es-nicht/intern/budget/").status_code == 404


def test_other_alliance_budget_is_not_shown(
    client_as: Callable[[str], Client], budget_story: BudgetStory, other_alliance: object
) -> None:
    """The outsider is office of the other alliance: its page shows its own (empty) ledger."""
    from ..factories import build_alliance_structure

    build_alliance_structure(other_alliance, place="Hameln")  # type: ignore[arg-type]
    text = text_of(client_as("outsider").get("/leine-weser/intern/budget/"))
    assert "In dieser Förderphase wurde noch nichts gebucht." in text
    assert "Welcome Center" not in text


def test_post_is_not_allowed(
    client_as: Callable[[str], Client], structure: AllianceStructure
) -> None:
    assert client_as("office").post(URL).status_code == 405


# --- Queries ----------------------------------------------------------------------------------

# Session; user; alliance by slug; the user's memberships (cached for the request); the header's
# count of unread notifications.
# … and the two-factor check: the session's verified app (django-otp's OTPMiddleware), or,
# where the session has none, whether the user has an app (accounts.middleware).
SIGNED_IN = 6
# Phases (current one picked in Python); ledger columns of the phase; ledger columns by field;
# volume and project count by field; the phase's fields; the page of bookings with project and
# user, each with the number of bookings (a window count: one query, also without bookings);
# the participants the phase's projects have reached (grants.selectors.participants_by_phase).
DASHBOARD = SIGNED_IN + 7


def test_query_count_is_pinned_and_constant(
    client_as: Callable[[str], Client],
    budget_story: BudgetStory,
    django_assert_num_queries: Callable[..., object],
) -> None:
    client = client_as("office")
    with django_assert_num_queries(DASHBOARD):  # type: ignore[attr-defined]
        assert client.get(URL).status_code == 200
    structure = budget_story.structure
    for number in range(20):
        project_in_state(
            structure,
            Status.ENDORSED,
            **half_funded(structure, number % 4, "20000.00", title=f"Zusatzvorhaben {number:02d}"),
        )
    with django_assert_num_queries(DASHBOARD):  # type: ignore[attr-defined]
        response = client.get(URL)
    text = text_of(response)
    assert "Vorhaben mit Votum 24" in text
    assert "Zusatzvorhaben 19" in text  # the newest bookings are on the page


def test_ministry_needs_no_membership_query(
    client_as: Callable[[str], Client],
    budget_story: BudgetStory,
    django_assert_num_queries: Callable[..., object],
) -> None:
    """The ministry sees every alliance by its platform role; the navigation still asks for its
    (empty) memberships once."""
    client = client_as("ministry")
    with django_assert_num_queries(DASHBOARD):  # type: ignore[attr-defined]
        assert client.get(URL).status_code == 200


# --- Edge cases ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_alliance_without_phase(client_as: Callable[[str], Client]) -> None:
    response = client_as("office").get(URL)
    assert response.status_code == 200
    assert "Für dieses Bündnis ist noch keine Förderphase angelegt." in text_of(response)


def test_project_without_field_gets_its_own_row(
    client_as: Callable[[str], Client], structure: AllianceStructure
) -> None:
    """The office may clear the field of an endorsed project; its money must not vanish."""
    from buendnis.funding import services

    project = project_in_state(structure, Status.ENDORSED, **half_funded(structure, 0, "50000.00"))
    services.project_update(actor=None, project=project, action_field=None)
    overview = budget_overview(structure.phase)
    assert overview.fields[-1].field is None
    assert (overview.fields[-1].reserved, overview.fields[-1].volume) == (
        Decimal("25000.00"),
        Decimal("50000.00"),
    )
    assert "Ohne Handlungsfeld" in text_of(client_as("office").get(URL))


def test_zero_budget_draws_no_division_by_zero() -> None:
    from buendnis.budget.selectors import BudgetFigures
    from buendnis.reports.charts import budget_bar

    zero = Decimal("0.00")
    bar = budget_bar(BudgetFigures(budget=zero, reserved=zero, committed=zero, paid=zero))
    assert [segment.width for segment in bar.segments] == ["0.000%"] * 4
    assert [segment.share for segment in bar.segments] == [Decimal(0)] * 4


@pytest.mark.django_db
def test_long_field_titles_wrap_in_the_chart(structure: AllianceStructure) -> None:
    """SVG text does not wrap by itself: long titles are broken into lines for a phone."""
    from buendnis.reports.charts import LINE_CHARS, field_bars

    action_field = structure.fields[0]
    action_field.title = "Beratungsinfrastruktur für kleine und mittlere Unternehmen der Region"
    action_field.save()
    chart = field_bars(budget_overview(structure.phase).fields)
    first, second = chart.rows[0], chart.rows[1]
    assert len(first.title_lines) == 3
    assert all(len(text) <= LINE_CHARS for _y, text in first.title_lines)
    assert " ".join(text for _y, text in first.title_lines) == action_field.title
    # The next row starts below the taller first one.
    assert int(second.title_lines[0][0]) - int(first.title_lines[0][0]) == 80 + 2 * 18
    assert [text for _y, text in chart.rows[-1].title_lines] == [
        "Weitere Themen (thematisch",
        "offen)",
    ]
