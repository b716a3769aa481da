"""What people read about each state of the procedure, in one place: the public label, the
applicant's next step, who the office board says is waiting, when submission deadlines matter, and
whether the alliance's statement (Stellungnahme) exists. The moves themselves are in `states.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

from .states import MONEY_FIXED_STATES, Status

S = Status

# What the public reads about a project in each state: fewer, plainer words than the office's.
PUBLIC_LABELS: dict[str, StrOrPromise] = {
    S.IDEA: pgettext_lazy("public status", "In Vorbereitung"),
    S.CONSULTATION: pgettext_lazy("public status", "In Vorbereitung"),
    S.SKETCH_SUBMITTED: pgettext_lazy("public status", "Kurzskizze in Beratung"),
    S.SKETCH_SPEAKERS: pgettext_lazy("public status", "Kurzskizze in Beratung"),
    S.SKETCH_STEERING: pgettext_lazy("public status", "Kurzskizze in Beratung"),
    S.DESCRIPTION_REQUESTED: pgettext_lazy("public status", "Projektbeschreibung in Arbeit"),
    S.DESCRIPTION_SUBMITTED: pgettext_lazy("public status", "Projektbeschreibung in Beratung"),
    S.DESCRIPTION_SPEAKERS: pgettext_lazy("public status", "Projektbeschreibung in Beratung"),
    S.DESCRIPTION_STEERING: pgettext_lazy("public status", "Projektbeschreibung in Beratung"),
    S.ENDORSED: pgettext_lazy("public status", "Vom Bündnis befürwortet"),
    S.APPLICATION_FILED: pgettext_lazy("public status", "Förderantrag gestellt"),
    S.GRANTED: pgettext_lazy("public status", "Bewilligt"),
    S.DECLINED: pgettext_lazy("public status", "Nicht bewilligt"),
    S.RUNNING: pgettext_lazy("public status", "In Umsetzung"),
    S.CLOSED: pgettext_lazy("public status", "Abgeschlossen"),
    S.REVISION_REQUESTED: pgettext_lazy("public status", "In Überarbeitung"),
    S.DEFERRED: pgettext_lazy("public status", "Vertagt"),
    S.REJECTED: pgettext_lazy("public status", "Nicht befürwortet"),
    S.WITHDRAWN: pgettext_lazy("public status", "Zurückgezogen"),
}


# --- The applicant's next step (applicant portal) --------------------------------------


@dataclass(frozen=True)
class NextStep:
    text: StrOrPromise
    url_name: str = ""  # applicant:<name> of the page that takes the step, if the applicant has one


_WAIT_SKETCH = NextStep(_("Abwarten: Sprecherkreis und Steuerkreis beraten die Kurzskizze."))
_WAIT_DESCRIPTION = NextStep(
    _("Abwarten: Sprecherkreis und Steuerkreis beraten die Projektbeschreibung.")
)
_DONE = NextStep(_("Keiner: das Verfahren ist abgeschlossen."))

NEXT_STEPS: dict[str, NextStep] = {
    S.IDEA: NextStep(_("Beratung mit der Geschäftsstelle vereinbaren."), "consultation_request"),
    S.CONSULTATION: NextStep(_("Kurzskizze hochladen und einreichen."), "sketch"),
    S.SKETCH_SUBMITTED: _WAIT_SKETCH,
    S.SKETCH_SPEAKERS: _WAIT_SKETCH,
    S.SKETCH_STEERING: _WAIT_SKETCH,
    S.DESCRIPTION_REQUESTED: NextStep(
        _("Projektbeschreibung hochladen und einreichen."), "description"
    ),
    S.DESCRIPTION_SUBMITTED: _WAIT_DESCRIPTION,
    S.DESCRIPTION_SPEAKERS: _WAIT_DESCRIPTION,
    S.DESCRIPTION_STEERING: _WAIT_DESCRIPTION,
    S.REVISION_REQUESTED: NextStep(
        _("Überarbeitete Fassung hochladen und erneut einreichen."), "revision"
    ),
    S.DEFERRED: NextStep(_("Abwarten: die Beratung ist auf die nächste Sitzung vertagt.")),
    S.ENDORSED: NextStep(
        _("Förderantrag bei der Förderbank stellen und hier vermerken."),
        "application_filed",
    ),
    S.APPLICATION_FILED: NextStep(_("Abwarten: die Förderbank entscheidet.")),
    S.GRANTED: NextStep(_("Projekt beginnen; die Geschäftsstelle vermerkt den Projektbeginn.")),
    S.RUNNING: NextStep(
        _("Projekt umsetzen; zum Schluss den Abschlussbericht an die Geschäftsstelle.")
    ),
    S.DECLINED: _DONE,
    S.CLOSED: _DONE,
    S.REJECTED: _DONE,
    S.WITHDRAWN: _DONE,
}


# An idea whose consultation the applicant has asked for: the office's move.
_CONSULTATION_REQUESTED = NextStep(
    _("Abwarten: Die Geschäftsstelle meldet sich mit einem Terminvorschlag für die Beratung.")
)


def next_step(status: str, *, consultation_requested: bool = False) -> NextStep:
    """The applicant's next step in `status`; an idea whose consultation is asked for waits for
    the office's proposal of a date instead of asking again."""
    if consultation_requested and status == S.IDEA:
        return _CONSULTATION_REQUESTED
    return NEXT_STEPS[status]


# States in which the next Steuerkreis meeting matters to the applicant: something is still to be
# submitted, or waits for the bodies. After the Votum the meetings are no longer their concern.
DEADLINE_STATES = frozenset(
    {
        S.IDEA,
        S.CONSULTATION,
        S.SKETCH_SUBMITTED,
        S.SKETCH_SPEAKERS,
        S.SKETCH_STEERING,
        S.DESCRIPTION_REQUESTED,
        S.DESCRIPTION_SUBMITTED,
        S.DESCRIPTION_SPEAKERS,
        S.DESCRIPTION_STEERING,
        S.REVISION_REQUESTED,
        S.DEFERRED,
    }
)


# --- Who has the next move (office board) ----------------------------------------------------


@dataclass(frozen=True)
class WaitingFor:
    """Who has the next move for projects in `statuses`."""

    key: str
    label: StrOrPromise
    task: StrOrPromise
    statuses: frozenset[str]


# Who is expected to act next, by state: the office forwards submissions to the Sprecherkreis, the
# two bodies discuss, the applicant writes, the bank decides.
WAITING_FOR: tuple[WaitingFor, ...] = (
    WaitingFor(
        "office",
        _("Geschäftsstelle"),
        _(
            "Beratung erfassen, Eingereichtes an den Sprecherkreis weiterleiten, Vertagtes wieder vorlegen"
        ),
        frozenset({S.IDEA, S.SKETCH_SUBMITTED, S.DESCRIPTION_SUBMITTED, S.DEFERRED}),
    ),
    WaitingFor(
        "speakers",
        _("Sprecherkreis"),
        _("Kurzskizzen und Projektbeschreibungen beraten"),
        frozenset({S.SKETCH_SPEAKERS, S.DESCRIPTION_SPEAKERS}),
    ),
    WaitingFor(
        "steering",
        _("Steuerkreis"),
        _("Vorstellen, beraten und abstimmen"),
        frozenset({S.SKETCH_STEERING, S.DESCRIPTION_STEERING}),
    ),
    WaitingFor(
        "applicant",
        _("Projektträger"),
        _("Kurzskizze, Projektbeschreibung oder Überarbeitung einreichen, Förderantrag stellen"),
        frozenset({S.CONSULTATION, S.DESCRIPTION_REQUESTED, S.REVISION_REQUESTED, S.ENDORSED}),
    ),
    WaitingFor(
        "bank",
        _("Förderbank"),
        _("Über den Förderantrag entscheiden"),
        frozenset({S.APPLICATION_FILED}),
    ),
)


# --- The alliance's statement for the funding bank -------------------------------------------

# After the Votum the statement exists (declined projects keep it); a withdrawn project has none.
STATEMENT_STATES = MONEY_FIXED_STATES


# --- The ledger's note when a project gives back what it held -----------------------------------

RELEASE_NOTES: dict[str, StrOrPromise] = {
    S.DECLINED: _("Von der Förderbank abgelehnt"),
    S.WITHDRAWN: _("Vorhaben zurückgezogen"),
}
