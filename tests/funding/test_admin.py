"""Projects and the budget ledger in the admin, persona by persona: who reads what, that nobody
writes a project or a booking there, and "Budgetänderung buchen" on a funding phase.

`alliance` is the office's; `other_alliance` is the outsider's (office there, nothing here).
"""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from buendnis.budget.models import EntryKind, LedgerEntry
from buendnis.budget.selectors import budget_figures
from buendnis.core.forms import parse_amount as parse_euro
from buendnis.core.models import AuditEntry
from buendnis.funding.states import Status as S
from tests.factories import PhaseFactory, project_in_state

from ..conftest import PERSONAS

pytestmark = pytest.mark.django_db

# Staff personas enter the admin; the others are sent to its login page.
ENTERS = {"office", "ministry", "admin", "outsider"}
# Who reads this alliance's records there.
READS_HERE = {"office", "ministry", "admin"}
# Who books budget changes for this alliance.
BOOKS_HERE = {"office", "admin"}


def url(name, *args):
    return reverse(f"admin:{name}", args=args)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def phase(alliance):
    return PhaseFactory(alliance=alliance)


@pytest.fixture
def project(phase):
    return project_in_state(
        phase, S.GRANTED, title="Welcome Center", granted_amount=Decimal("90000.00")
    )


@pytest.fixture
def foreign_project(other_alliance):
    return project_in_state(PhaseFactory(alliance=other_alliance), S.ENDORSED, title="Hafenlotsen")


def _sent_to_login(response):
    return response.status_code == 302 and response["Location"].startswith("/admin/login/")


# --- Projects: read only, scoped ----------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_project_and_ledger_lists_per_persona(client_as, persona, phase, foreign_project):
    here = project_in_state(phase, S.ENDORSED, title="Welcome Center")
    client = client_as(persona)
    for name, shows_here, shows_there in (
        ("funding_project", "Welcome Center", "Hafenlotsen"),
        ("budget_ledgerentry", here.reference, foreign_project.reference),
    ):
        response = client.get(url(f"{name}_changelist"))
        if persona not in ENTERS:
            assert _sent_to_login(response)
            continue
        assert response.status_code == 200
        page = response.content.decode()
        assert (shows_here in page) == (persona in READS_HERE), name
        assert (shows_there in page) == (persona in {"ministry", "admin", "outsider"}), name
        # Nothing is added here: projects start in the portal, bookings come from the procedure.
        assert url(f"{name}_add") not in page


@pytest.mark.parametrize("persona", PERSONAS)
def test_project_page_per_persona(client_as, persona, project):
    response = client_as(persona).get(url("funding_project_change", project.pk))
    if persona not in ENTERS:
        assert _sent_to_login(response)
        return
    if persona not in READS_HERE:
        # Another alliance's project: the admin answers as if it did not exist.
        assert response.status_code == 302
        assert response["Location"] == url("index")
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="/son/intern/vorhaben/{project.reference}/"' in page
    # Read only: no form to save, every value shown as text.
    assert 'name="_save"' not in page
    assert 'name="title"' not in page
    # What the procedure recorded, inline and read only.
    for text in (
        "Statuswechsel",
        "Beratungen",
        "Dokumente",
        "Ergebnisse der Gremien",
        "Kofinanzierungen",
        "Buchungen im virtuellen Budget",
        "Sprecherkreis",
        "Reservierung (Votum)",
        "Bindung (Bewilligung)",
        "/sketch/v1-skizze",
    ):
        assert text in page, text


@pytest.mark.parametrize("persona", sorted(ENTERS))
def test_nobody_writes_a_project_in_the_admin(client_as, persona, project):
    client = client_as(persona)
    title, status, audit = project.title, project.status, AuditEntry.objects.count()
    assert client.get(url("funding_project_add")).status_code == 403
    response = client.post(
        url("funding_project_change", project.pk), {"title": "Geändert", "status": S.CLOSED}
    )
    assert response.status_code in (302, 403)
    response = client.post(url("funding_project_delete", project.pk), {"post": "yes"})
    assert response.status_code in (302, 403)
    project.refresh_from_db()
    assert (project.title, project.status) == (title, status)
    assert AuditEntry.objects.count() == audit


def test_the_project_list_needs_no_query_per_project(client_as, phase):
    client = client_as("office")
    project_in_state(phase, S.ENDORSED)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("funding_project_changelist")).status_code == 200
        return len(captured)

    few = queries()
    for status in (S.IDEA, S.GRANTED, S.SKETCH_SPEAKERS, S.CLOSED):
        project_in_state(phase, status)
    assert queries() == few


# --- The ledger: read only, scoped --------------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(ENTERS))
def test_nobody_edits_a_booking_in_the_admin(client_as, persona, project):
    client = client_as(persona)
    entry = LedgerEntry.objects.filter(project=project).first()
    response = client.get(url("budget_ledgerentry_change", entry.pk))
    assert response.status_code == (200 if persona in READS_HERE else 302)
    assert 'name="_save"' not in response.content.decode()
    assert client.get(url("budget_ledgerentry_add")).status_code == 403
    client.post(url("budget_ledgerentry_change", entry.pk), {"note": "geändert"})
    client.post(url("budget_ledgerentry_delete", entry.pk), {"post": "yes"})
    entry.refresh_from_db()
    assert entry.note != "geändert"
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


# --- "Budgetänderung buchen" on a funding phase ------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_budget_form_per_persona(client_as, persona, phase):
    client = client_as(persona)
    response = client.get(url("alliances_fundingphase_budget", phase.pk))
    if persona not in ENTERS:
        assert _sent_to_login(response)
    elif persona == "outsider":
        assert response.status_code == 302
        assert response["Location"] == url("index")
    elif persona == "ministry":
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        page = response.content.decode()
        assert "Budgetänderung buchen" in page
        assert "1.500.000,00 €" in page

    response = client.post(
        url("alliances_fundingphase_budget", phase.pk),
        {"amount": "250.000,00", "note": "Aufstockung durch das Ministerium"},
    )
    booked = LedgerEntry.objects.filter(phase=phase, kind=EntryKind.ADJUSTMENT)
    if persona not in BOOKS_HERE:
        assert not booked.exists()
        return
    assert response.status_code == 302
    assert response["Location"] == url("alliances_fundingphase_change", phase.pk)
    (entry,) = booked
    assert (entry.budget_delta, entry.note, entry.actor.username) == (
        Decimal("250000.00"),
        "Aufstockung durch das Ministerium",
        persona,
    )
    assert AuditEntry.objects.get(action="budget.adjustment").actor == entry.actor
    assert messages_of(response) == [
        "Budgetänderung um 250.000,00 € gebucht. Das Budget der Förderphase 2018–2021 beträgt "
        "jetzt 1.750.000,00 €, verfügbar sind 1.750.000,00 €."
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"amount": "1,500.00", "note": "X"},
            "amount",
            "Bitte einen Betrag in Euro angeben, z. B. 12.500,00 (negativ: -12.345,67).",
        ),
        ({"amount": "", "note": "X"}, "amount", "Dieses Feld ist zwingend erforderlich."),
        ({"amount": "1000", "note": "   "}, "note", "Dieses Feld ist zwingend erforderlich."),
        (
            {"amount": "0", "note": "Nichts"},
            "amount",
            "Eine Budgetänderung um 0,00 € ändert nichts.",
        ),
        (
            {"amount": "-1.450.000,01", "note": "Kürzung"},
            "amount",
            "Das Budget kann höchstens um den verfügbaren Betrag (1.400.000,00 €) gesenkt werden; "
            "der Rest ist bereits reserviert, gebunden oder ausgezahlt.",
        ),
    ],
)
def test_a_refused_budget_change_is_a_german_form_error(client_as, phase, data, field, message):
    project_in_state(phase, S.ENDORSED)  # 100,000 reserved
    before = (LedgerEntry.objects.count(), AuditEntry.objects.count())
    response = client_as("office").post(url("alliances_fundingphase_budget", phase.pk), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert message in response.content.decode()
    assert (LedgerEntry.objects.count(), AuditEntry.objects.count()) == before


def test_lowering_the_budget_by_what_is_available(client_as, phase):
    project_in_state(phase, S.ENDORSED)
    response = client_as("office").post(
        url("alliances_fundingphase_budget", phase.pk),
        {"amount": "-1.400.000,00", "note": "Kürzung laut Erlass"},
    )
    assert response.status_code == 302
    assert budget_figures(phase).available == Decimal("0.00")


@pytest.mark.parametrize("persona", ["office", "ministry"])
def test_the_phase_page_shows_the_budget_and_books_it_only_through_the_ledger(
    client_as, persona, phase
):
    project_in_state(phase, S.ENDORSED)
    client = client_as(persona)
    page = client.get(url("alliances_fundingphase_change", phase.pk)).content.decode()
    assert "verfügbar" in page
    assert "1.400.000,00 €" in page
    adjust = url("alliances_fundingphase_budget", phase.pk)
    assert (adjust in page) == (persona == "office")
    assert 'name="virtual_budget"' not in page  # changed only by a booking

    if persona == "office":
        # A hand-made POST with a new budget leaves the phase's budget as it was.
        data = {
            "alliance": phase.alliance_id,
            "name": phase.name,
            "starts_on": "01.07.2018",
            "ends_on": "30.06.2021",
            "virtual_budget": "9999999.00",
            "funding_rate": "50,00",
        }
        client.post(url("alliances_fundingphase_change", phase.pk), data)
        phase.refresh_from_db()
        assert phase.virtual_budget == Decimal("1500000.00")


def test_a_new_phase_still_takes_its_budget(client_as, alliance):
    response = client_as("office").get(url("alliances_fundingphase_add"))
    assert 'name="virtual_budget"' in response.content.decode()


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("250.000,00", "250000.00"),
        ("250000,00", "250000.00"),
        ("250000.00", "250000.00"),
        ("250000", "250000.00"),
        ("1.500", "1500.00"),  # German thousands
        ("1.5", "1.50"),
        ("-12.345,67", "-12345.67"),
        ("−12.345,67 €", "-12345.67"),
        ("+ 1 000,5", "1000.50"),
        ("0,01", "0.01"),
    ],
)
def test_amounts_are_read_the_german_way(text, amount):
    assert parse_euro(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["1,500.00", "1.5.0", "12,345", "abc", "", "1.50000", "--5"])
def test_ambiguous_amounts_are_refused(text):
    with pytest.raises(ValidationError):
        parse_euro(text)
