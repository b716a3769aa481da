"""After the grant: the running projects of SüdOstNiedersachsen's phase 2024–2027 report, draw
their grant in tranches, receive their co-financing and count their participants; one project
of the phase went through its proof of use to its close.

Loaded right after the projects (`demo.projects`). Every step runs through the services of
`grants` as of its own day (`demo.clock`), by the office's demo login (the office may report and
request on the applicant's behalf), so reviews, bookings and audit rows carry their dates and the
ledger pays exactly what was released. The present (06.12.2026) shows every state: reports
accepted, one sent back and resubmitted, one overdue (Pflegeausbildung international, interim
report due 30.11.2026), reports still ahead; tranches released, one checked awaiting release, one
just submitted; co-financing partly received; two or three periods of figures per project. Every
amount, date and figure is illustrative. A project that has a report schedule already is skipped
as a whole, so a second load creates nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.text import slugify

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance
from buendnis.funding.models import CoFinancing, Project
from buendnis.funding.states import Status
from buendnis.grants import services
from buendnis.grants.models import (
    CHARACTERISTICS,
    PaymentRequest,
    ReportKind,
    ScheduledReport,
)

from .clock import as_of, moment
from .documents import demo_pdf
from .projects import AA_BS_GS
from .structure import ALLIANZ, STADT_BRAUNSCHWEIG

D = date
INTERIM = ReportKind.INTERIM_REPORT
PROOF = ReportKind.INTERIM_PROOF
FINAL = ReportKind.FINAL_PROOF

ALLIANCE_SLUG = "son"
OFFICE_LOGIN = "geschaeftsstelle"


def _eur(amount: str) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.01"))


# --- The follow-up as data ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Report:
    kind: ReportKind
    due: date
    submitted: date | None = None
    # The office asks for changes (day, what), the applicant hands in again.
    sent_back: tuple[date, str] | None = None
    resubmitted: date | None = None
    accepted: date | None = None
    # Eligible costs up to the report's cut-off (a proof names them).
    costs: str | None = None


@dataclass(frozen=True)
class _Payment:
    period: tuple[date, date]
    costs: str
    amount: str
    submitted: date
    checked: date | None = None
    released: date | None = None


@dataclass(frozen=True)
class _Received:
    payer: str
    day: date
    amount: str


@dataclass(frozen=True)
class _Figures:
    period: tuple[date, date]
    entries: int
    exits: int
    recorded: date


# Shares of the categories of each characteristic (`grants.models.CHARACTERISTICS`), per project:
# who the project reaches. Illustrative.
Profile = dict[str, dict[str, int]]


@dataclass(frozen=True)
class _FollowUp:
    title: str
    # The office sets the schedule after the bank's decision.
    scheduled: date
    reports: tuple[_Report, ...]
    payments: tuple[_Payment, ...] = ()
    received: tuple[_Received, ...] = ()
    figures: tuple[_Figures, ...] = ()
    profile: Profile = field(default_factory=dict)
    # The office closes the project once its proof of use is accepted.
    concluded: date | None = None


def _months_after(day: date, months: int) -> date:
    """The last day of the month `months` after `day`'s month (due dates are month ends)."""
    year, month = divmod(day.month - 1 + months + 1, 12)
    return date(day.year + year, month + 1, 1) - timedelta(days=1)


FOLLOW_UPS = (
    # Closed 30.09.2026: three tranches of 174.000 € at 60 % of 290.000 € final costs, 214 entries
    # and 201 exits; the 6.000 € not drawn went back to the phase at the close.
    _FollowUp(
        "Transformationslotsen in der Zulieferindustrie",
        scheduled=D(2025, 1, 9),
        reports=(
            _Report(INTERIM, D(2025, 7, 31), D(2025, 7, 25), accepted=D(2025, 8, 8)),
            _Report(PROOF, D(2026, 1, 31), D(2026, 1, 27), accepted=D(2026, 2, 10), costs="195000"),
            _Report(
                FINAL,
                D(2026, 9, 30),
                D(2026, 9, 10),
                sent_back=(D(2026, 9, 17), "Bitte die Belegliste der Lotsenschulungen beifügen."),
                resubmitted=D(2026, 9, 22),
                accepted=D(2026, 9, 28),
                costs="290000",
            ),
        ),
        payments=(
            _Payment(
                (D(2025, 1, 1), D(2025, 6, 30)),
                "95000",
                "57000",
                D(2025, 7, 10),
                D(2025, 7, 15),
                D(2025, 7, 18),
            ),
            _Payment(
                (D(2025, 7, 1), D(2025, 12, 31)),
                "100000",
                "60000",
                D(2026, 1, 12),
                D(2026, 1, 16),
                D(2026, 1, 20),
            ),
            _Payment(
                (D(2026, 1, 1), D(2026, 6, 30)),
                "95000",
                "57000",
                D(2026, 7, 10),
                D(2026, 7, 15),
                D(2026, 7, 20),
            ),
        ),  # fmt: skip
        received=(
            _Received("IG Metall Braunschweig", D(2025, 3, 3), "30000"),
            _Received("Arbeitgeberverband Region Braunschweig e. V.", D(2025, 4, 1), "30000"),
            _Received("Beteiligte Unternehmen (Eigenanteil)", D(2026, 7, 1), "60000"),
        ),
        figures=(
            _Figures((D(2025, 1, 1), D(2025, 6, 30)), 110, 30, D(2025, 7, 14)),
            _Figures((D(2025, 7, 1), D(2025, 12, 31)), 80, 80, D(2026, 1, 14)),
            _Figures((D(2026, 1, 1), D(2026, 6, 30)), 24, 91, D(2026, 7, 14)),
        ),
        profile={
            "gender": {"female": 18, "male": 80, "diverse": 1, "not_stated": 1},
            "age": {"under_25": 10, "25_to_54": 70, "55_plus": 20},
            "employment": {"employed": 100},
            "education": {"isced_0_2": 15, "isced_3_4": 65, "isced_5_8": 20},
        },
        concluded=D(2026, 9, 30),
    ),
    _FollowUp(
        "Welcome Center: internationale Fachkräfte ankommen lassen",
        scheduled=D(2025, 3, 20),
        reports=(
            _Report(INTERIM, D(2025, 10, 31), D(2025, 10, 24), accepted=D(2025, 11, 10)),
            _Report(
                PROOF,
                D(2026, 3, 31),
                D(2026, 3, 25),
                sent_back=(
                    D(2026, 4, 9),
                    "Die Personalausgaben bitte nach Stellen aufschlüsseln; die Reisekosten "
                    "gehören nicht in diesen Zeitraum.",
                ),
                resubmitted=D(2026, 4, 28),
                accepted=D(2026, 5, 12),
                costs="210000",
            ),
            _Report(INTERIM, D(2026, 10, 31), D(2026, 10, 29), accepted=D(2026, 11, 16)),
            _Report(FINAL, _months_after(D(2027, 6, 30), 3)),
        ),
        payments=(
            _Payment(
                (D(2025, 4, 1), D(2025, 9, 30)),
                "100000",
                "60000",
                D(2025, 10, 10),
                D(2025, 10, 16),
                D(2025, 10, 20),
            ),
            _Payment(
                (D(2025, 10, 1), D(2026, 3, 31)),
                "110000",
                "66000",
                D(2026, 4, 10),
                D(2026, 4, 17),
                D(2026, 4, 22),
            ),
            # Checked, waiting for the second step: the release.
            _Payment(
                (D(2026, 4, 1), D(2026, 9, 30)), "105000", "63000", D(2026, 10, 9), D(2026, 10, 15)
            ),
        ),  # fmt: skip
        received=(
            _Received(STADT_BRAUNSCHWEIG, D(2025, 5, 15), "35000"),
            _Received("Stadt Wolfsburg", D(2025, 6, 2), "35000"),
            _Received(ALLIANZ, D(2025, 7, 1), "30000"),
            _Received(STADT_BRAUNSCHWEIG, D(2026, 5, 15), "35000"),
        ),
        figures=(
            _Figures((D(2025, 4, 1), D(2025, 12, 31)), 310, 120, D(2026, 1, 20)),
            _Figures((D(2026, 1, 1), D(2026, 6, 30)), 265, 190, D(2026, 7, 15)),
            _Figures((D(2026, 7, 1), D(2026, 9, 30)), 140, 95, D(2026, 10, 20)),
        ),
        profile={
            "gender": {"female": 46, "male": 52, "diverse": 1, "not_stated": 1},
            "age": {"under_25": 20, "25_to_54": 75, "55_plus": 5},
            "employment": {
                "employed": 55,
                "unemployed": 30,
                "long_term_unemployed": 5,
                "inactive": 10,
            },
            "education": {"isced_0_2": 10, "isced_3_4": 35, "isced_5_8": 55},
        },  # fmt: skip
    ),
    _FollowUp(
        "Pflegeausbildung international",
        scheduled=D(2025, 7, 8),
        reports=(
            _Report(INTERIM, D(2026, 1, 31), D(2026, 1, 28), accepted=D(2026, 2, 12)),
            _Report(PROOF, D(2026, 7, 31), D(2026, 7, 30), accepted=D(2026, 8, 20), costs="145000"),
            # Overdue: due at the end of November and not in (the office desk shows it).
            _Report(INTERIM, D(2026, 11, 30)),
            _Report(FINAL, _months_after(D(2027, 6, 30), 3)),
        ),
        payments=(
            _Payment(
                (D(2025, 7, 1), D(2025, 12, 31)),
                "70000",
                "42000",
                D(2026, 1, 15),
                D(2026, 1, 22),
                D(2026, 1, 27),
            ),
            _Payment(
                (D(2026, 1, 1), D(2026, 6, 30)),
                "75000",
                "45000",
                D(2026, 7, 10),
                D(2026, 7, 16),
                D(2026, 7, 21),
            ),
            # Just submitted: the office has not checked it yet.
            _Payment((D(2026, 7, 1), D(2026, 10, 31)), "48000", "28800", D(2026, 11, 27)),
        ),  # fmt: skip
        received=(
            _Received("Diakonie im Braunschweiger Land gGmbH", D(2025, 9, 1), "31000"),
            _Received(AA_BS_GS, D(2026, 2, 2), "25000"),
        ),
        figures=(
            _Figures((D(2025, 7, 1), D(2025, 12, 31)), 24, 1, D(2026, 1, 20)),
            _Figures((D(2026, 1, 1), D(2026, 6, 30)), 18, 3, D(2026, 7, 14)),
        ),
        profile={
            "gender": {"female": 70, "male": 29, "diverse": 1, "not_stated": 0},
            "age": {"under_25": 65, "25_to_54": 35, "55_plus": 0},
            "employment": {
                "employed": 10,
                "unemployed": 20,
                "long_term_unemployed": 0,
                "inactive": 70,
            },
            "education": {"isced_0_2": 15, "isced_3_4": 75, "isced_5_8": 10},
        },  # fmt: skip
    ),
    _FollowUp(
        "Quereinstieg in die Kita begleiten",
        scheduled=D(2026, 1, 12),
        reports=(
            _Report(INTERIM, D(2026, 7, 31), D(2026, 7, 24), accepted=D(2026, 8, 5)),
            _Report(PROOF, D(2027, 1, 31)),
            _Report(FINAL, _months_after(D(2027, 6, 30), 3)),
        ),
        payments=(
            _Payment(
                (D(2026, 1, 1), D(2026, 6, 30)),
                "50000",
                "30000",
                D(2026, 7, 9),
                D(2026, 7, 15),
                D(2026, 7, 20),
            ),
        ),  # fmt: skip
        received=(_Received("Stadt Salzgitter", D(2026, 2, 16), "48000"),),
        figures=(
            _Figures((D(2026, 1, 1), D(2026, 3, 31)), 15, 0, D(2026, 4, 15)),
            _Figures((D(2026, 4, 1), D(2026, 9, 30)), 12, 2, D(2026, 10, 14)),
        ),
        profile={
            "gender": {"female": 80, "male": 19, "diverse": 1, "not_stated": 0},
            "age": {"under_25": 15, "25_to_54": 80, "55_plus": 5},
            "employment": {
                "employed": 60,
                "unemployed": 25,
                "long_term_unemployed": 5,
                "inactive": 10,
            },
            "education": {"isced_0_2": 5, "isced_3_4": 70, "isced_5_8": 25},
        },  # fmt: skip
    ),
)


# --- Figures that add up ------------------------------------------------------------------------


def _split(total: int, weights: dict[str, int]) -> dict[str, int]:
    """`total` divided by `weights` (largest remainder), so that the parts add up exactly."""
    whole = sum(weights.values())
    parts = {code: total * weight // whole for code, weight in weights.items()}
    rest = total - sum(parts.values())
    by_remainder = sorted(weights, key=lambda code: -(total * weights[code] % whole))
    for code in by_remainder[:rest]:
        parts[code] += 1
    return parts


def _breakdown(profile: Profile, entries: int, exits: int) -> dict[str, dict[str, dict[str, int]]]:
    result: dict[str, dict[str, dict[str, int]]] = {}
    for key, (_label, categories) in CHARACTERISTICS.items():
        weights = {code: profile.get(key, {}).get(code, 0) for code, _name in categories}
        if not any(weights.values()):
            weights = {code: 1 for code, _name in categories}
        came, left = _split(entries, weights), _split(exits, weights)
        result[key] = {
            code: {"entries": came[code], "exits": left[code]} for code, _name in categories
        }
    return result


# --- Loading ------------------------------------------------------------------------------------


def _document(project: Project, report: _Report, number: int, day: date) -> SimpleUploadedFile:
    lines = [
        f"{report.kind.label}: {project.title}",
        f"Vorhaben {project.reference}, Fassung {number}, Stand {day:%d.%m.%Y}",
        "Demo-Dokument mit beispielhaftem Inhalt.",
    ]
    if report.costs:
        lines.append(f"Förderfähige Ausgaben bis zum Stichtag: {report.costs} Euro")
    name = f"{slugify(str(report.kind.label))}-{project.reference.lower()}-{number}.pdf"
    return SimpleUploadedFile(name, demo_pdf(*lines), content_type="application/pdf")


# A step's day, the step, and whether it creates `Timestamped` rows (their `created_at` is set to
# the step's moment afterwards, one query per such model: only where needed).
Step = tuple[date, Callable[[], object], bool]


def _steps(office: User, project: Project, spec: _FollowUp) -> list[Step]:
    """Every step of the project's follow-up with its day; run in the order of the days."""
    steps: list[Step] = []
    scheduled: dict[int, ScheduledReport] = {}
    requested: dict[int, PaymentRequest] = {}

    def schedule() -> None:
        for index, report in enumerate(spec.reports):
            scheduled[index] = services.report_schedule(
                actor=office, project=project, kind=report.kind, due_on=report.due
            )

    steps.append((spec.scheduled, schedule, True))
    for index, report in enumerate(spec.reports):

        def submit(index: int = index, report: _Report = report, number: int = 1) -> None:
            services.report_submit(
                actor=office,
                report=scheduled[index],
                document=_document(project, report, number, timezone.localdate()),
                costs_to_date=_eur(report.costs) if report.costs else None,
                summary="Stand der Umsetzung, Teilnehmende und Ausgaben im Berichtszeitraum.",
            )

        def review(index: int = index, outcome: str = "accepted", reason: str = "") -> None:
            services.report_review(
                actor=office, report=scheduled[index], outcome=outcome, reason=reason
            )

        if report.submitted:
            steps.append((report.submitted, submit, False))
        if report.sent_back:
            day, reason = report.sent_back
            steps.append((day, partial(review, outcome="changes_requested", reason=reason), False))
        if report.resubmitted:
            steps.append((report.resubmitted, partial(submit, number=2), False))
        if report.accepted:
            steps.append((report.accepted, review, False))
    for index, payment in enumerate(spec.payments):

        def request(index: int = index, payment: _Payment = payment) -> None:
            requested[index] = services.payment_request_submit(
                actor=office,
                project=project,
                period_from=payment.period[0],
                period_to=payment.period[1],
                eligible_costs=_eur(payment.costs),
                amount=_eur(payment.amount),
            )

        def check(index: int = index) -> None:
            services.payment_request_check(actor=office, request=requested[index])

        def release(index: int = index) -> None:
            services.payment_request_release(actor=office, request=requested[index])

        steps.append((payment.submitted, request, True))
        if payment.checked:
            steps.append((payment.checked, check, False))
        if payment.released:
            steps.append((payment.released, release, False))
    shares = {
        (share.organisation.name if share.organisation else share.name): share
        for share in CoFinancing.objects.filter(project=project).select_related("organisation")
    }

    def receive(received: _Received) -> None:
        services.cofinancing_received(
            actor=office,
            share=shares[received.payer],
            received_on=received.day,
            amount=_eur(received.amount),
        )

    def count(figures: _Figures) -> None:
        services.participants_record(
            actor=office,
            project=project,
            period_from=figures.period[0],
            period_to=figures.period[1],
            entries=figures.entries,
            exits=figures.exits,
            breakdown=_breakdown(spec.profile, figures.entries, figures.exits),
        )

    steps.extend((received.day, partial(receive, received), False) for received in spec.received)
    steps.extend((figures.recorded, partial(count, figures), True) for figures in spec.figures)
    if spec.concluded:
        closed_on = spec.concluded
        steps.append(
            (
                closed_on,
                partial(
                    services.project_conclude, actor=office, project=project, closed_on=closed_on
                ),
                False,
            )
        )
    # Stable: steps of the same day keep the order they were listed in.
    return sorted(steps, key=lambda step: step[0])


def load_demo_grants() -> int:
    """Reports, payment requests, co-financing received and participant figures of the running
    projects (and the one closed through its proof of use); returns how many records were
    created. Runs after `load_demo_projects` (returns 0 without the alliance or its office
    login); the caller mutes the mail (`grants.services.muted`)."""
    alliance = Alliance.objects.filter(slug=ALLIANCE_SLUG).first()
    office = User.objects.filter(username=OFFICE_LOGIN).first()
    if alliance is None or office is None:
        return 0
    created = 0
    for spec in FOLLOW_UPS:
        project = (
            Project.objects.filter(alliance=alliance, title=spec.title)
            .select_related("alliance", "phase")
            .first()
        )
        if project is None or project.reports.exists():
            continue
        if project.status != Status.RUNNING:
            raise RuntimeError(f"Demo-Vorhaben „{spec.title}“ läuft nicht ({project.status}).")
        for number, (day, step, creates) in enumerate(_steps(office, project, spec)):
            # Late morning, a minute apart, after the project's own steps of the same day.
            with as_of(moment(day, 11) + timedelta(minutes=number), restamp=creates):
                step()
            created += 1
        project.refresh_from_db()
    return created
