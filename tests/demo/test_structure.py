"""The demo data: loading it twice changes nothing, and it carries the facts of the council paper."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from buendnis.accounts.models import Membership, PlatformRole, Role, User
from buendnis.alliances.models import (
    Alliance,
    Body,
    BodyKind,
    CooperationAgreement,
    FundingPhase,
    GroupKind,
    Organisation,
    Person,
    PersonFunction,
    RecognitionStatus,
    Seat,
    SeatRole,
    Territory,
)
from buendnis.alliances.selectors import (
    action_fields_of,
    speakers_circle_problems,
    steering_problems,
)
from buendnis.core.models import AuditEntry
from buendnis.demo.load import load_demo
from buendnis.demo.structure import DEMO_LOGINS
from buendnis.renewal.selectors import composition_problems

pytestmark = pytest.mark.django_db

ARL = "Amt für regionale Landesentwicklung Braunschweig"
DURING_PHASE_2 = date(2019, 3, 1)


@dataclass
class Loaded:
    first: int
    second: int
    before: dict[str, list[dict[str, Any]]]
    after: dict[str, list[dict[str, Any]]]


def all_rows() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, to prove that a second load changes nothing."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
    }


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Loaded]:
    """The demo loaded twice, once for the whole module (loading is the slow part).

    The outer transaction is rolled back after the module, so no other test sees the data; each
    test still runs in its own savepoint inside it.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        first = load_demo()
        before = all_rows()
        second = load_demo()
        yield Loaded(first=first, second=second, before=before, after=all_rows())
        transaction.set_rollback(True)


def son_phase(name: str) -> FundingPhase:
    return FundingPhase.objects.get(alliance__slug="son", name=name)


def partners(phase: FundingPhase) -> set[str]:
    return set(
        CooperationAgreement.objects.filter(phase=phase).values_list(
            "organisation__name", flat=True
        )
    )


def body(slug: str, kind: BodyKind) -> Body:
    return Body.objects.get(alliance__slug=slug, kind=kind)


def test_second_load_creates_nothing_and_changes_nothing(demo: Loaded) -> None:
    assert demo.first > 300
    assert demo.second == 0
    assert {label: len(rows) for label, rows in demo.after.items()} == {
        label: len(rows) for label, rows in demo.before.items()
    }
    assert demo.after == demo.before
    # The meetings are loaded too (buendnis.demo.meetings), so the comparison covers them.
    for label in (
        "meetings.Meeting",
        "meetings.Decision",
        "meetings.Minutes",
        "meetings.Circulation",
    ):
        assert demo.before[label], label
    # The audit trail shows the load: one row per record, no acting user — but for the
    # alliance's own cycle and the follow-up after the grant (reports, payment requests,
    # co-financing, figures and the close through the proof of use), whose services take real
    # users: the demo office and ministry logins.
    assert len(demo.after["core.AuditEntry"]) > 300
    acting = AuditEntry.objects.exclude(actor=None)
    assert set(acting.values_list("actor__username", flat=True)) == {
        "geschaeftsstelle",
        "ministerium",
    }
    assert set(acting.values_list("object_type", flat=True)) <= {
        "alliances.fundingphase",
        "alliances.cooperationagreement",
        "alliances.actionfield",
        "alliances.topic",
        "renewal.strategy",
        "renewal.signaturerequest",
        "budget.ledgerentry",
        "grants.scheduledreport",
        "grants.paymentrequest",
        "grants.cofinancingpayment",
        "grants.participantfigures",
        "funding.project",
    }


def test_son_has_28_voting_partners_in_2018_2021(demo: Loaded) -> None:
    phase = son_phase("2018–2021")
    signed = partners(phase)
    assert len(signed) == 28
    assert "Allianz für die Region GmbH" in signed
    assert ARL not in signed
    # Every partner of 2015–2018 renewed.
    assert partners(son_phase("2015–2018")) == signed

    steering = body("son", BodyKind.STEERING)
    assert steering.meeting_rhythm == "quartalsweise"
    assert "einvernehmlich" in steering.description
    for day in (DURING_PHASE_2, timezone.localdate()):
        seats = [seat for seat in Seat.objects.filter(body=steering) if seat.is_active_on(day)]
        voting = [seat for seat in seats if seat.can_vote]
        assert len(voting) == 28
        assert {seat.organisation.name for seat in voting} == signed
    assert all(seat.person is not None for seat in Seat.objects.filter(body=steering))
    assert steering_problems(steering, on=DURING_PHASE_2) == []


def test_every_organisation_has_a_representative_and_a_deputy(demo: Loaded) -> None:
    for organisation in Organisation.objects.filter(alliance__slug__in=["son", "leine-weser"]):
        functions = list(organisation.people.values_list("function", flat=True))
        assert functions.count(PersonFunction.REPRESENTATIVE) == 1, organisation
        assert functions.count(PersonFunction.DEPUTY) == 1, organisation
        assert organisation.is_illustrative
    for person in Person.objects.all():
        assert person.email.endswith(("@example.org", "@example.com"))
        assert " 000-" in person.phone


def test_arl_advises_without_a_vote(demo: Loaded) -> None:
    seat = Seat.objects.get(body=body("son", BodyKind.STEERING), organisation__name=ARL)
    assert seat.role == SeatRole.ADVISORY
    assert seat.can_vote is False
    assert seat.organisation.group.name == "Sonstige"
    assert not CooperationAgreement.objects.filter(organisation=seat.organisation).exists()


def test_sprecherkreis_is_complete(demo: Loaded) -> None:
    speakers = body("son", BodyKind.SPEAKERS)
    assert speakers_circle_problems(speakers) == []
    assert speakers_circle_problems(speakers, on=DURING_PHASE_2) == []
    seats = list(Seat.objects.filter(body=speakers).select_related("organisation__group"))
    assert [seat.role for seat in seats].count(SeatRole.SPEAKER) == 1
    deputies = {
        seat.organisation.group.name for seat in seats if seat.role == SeatRole.DEPUTY_SPEAKER
    }
    assert deputies == {
        "Arbeitsagenturen/Jobcenter",
        "Kommunen",
        "Gewerkschaften",
        "Arbeitgeberverbände",
    }
    # Speakers vote, so they must be partners of the phase.
    assert {seat.organisation.name for seat in seats} <= partners(son_phase("2018–2021"))

    leine_weser = body("leine-weser", BodyKind.SPEAKERS)
    assert speakers_circle_problems(leine_weser) == []


def test_office_at_allianz_fur_die_region(demo: Loaded) -> None:
    alliance = Alliance.objects.get(slug="son")
    assert alliance.office_host == "Allianz für die Region GmbH"
    assert alliance.website == "https://www.fachkraeftebuendnis-son.de"
    # As the council paper names it; each decision keeps the name it was taken under
    # (tests/demo/test_present.py).
    assert alliance.recognising_authority == (
        "Niedersächsisches Ministerium für Wirtschaft, Arbeit, Verkehr und Digitalisierung"
    )
    seats = Seat.objects.filter(body=body("son", BodyKind.OFFICE))
    assert {seat.organisation.name for seat in seats} == {"Allianz für die Region GmbH"}
    roles = sorted(seat.role for seat in seats)
    assert roles.count(SeatRole.OFFICE_LEAD) == 1
    assert roles.count(SeatRole.OFFICE_STAFF) >= 1


def test_themes_of_2018_2021_word_for_word(demo: Loaded) -> None:
    fields = action_fields_of(son_phase("2018–2021"))
    themes = [
        (
            field.title,
            field.is_open,
            [
                (topic.title, [child.title for child in topic.subtopics])
                for topic in field.top_topics
            ],
        )
        for field in fields
    ]
    assert themes == [
        (
            "Beratungsinfrastruktur",
            False,
            [
                (
                    "Studienabsolventen und Studienabbrecher für lokale KMU (binden, halten und anwerben)",
                    [],
                ),
                (
                    "Berufsorientierung unter Einbeziehung von KMU und von besonderen Personengruppen",
                    [],
                ),
                (
                    "Beratung von Betrieben zur Beschäftigung und Qualifizierung geflüchteter Menschen",
                    [],
                ),
                (
                    "Geflüchtete Menschen: Nutzbarmachung von nichtformalen beruflichen Kenntnissen und Fähigkeiten",
                    [],
                ),
                (
                    "Erwerbstätigkeit geflüchteter Frauen stärken; Stärkung der Willkommenskultur",
                    [],
                ),
                ("Vereinbarkeit von Familie und Beruf (projektbezogen)", []),
                ("Maßnahmen zur Förderung von Teilqualifikationen", []),
                ("Home Office und Arbeitszeit", []),
            ],
        ),
        (
            "Digitalisierung / Innovation",
            False,
            [
                (
                    "Umgang mit Digitalisierung und Innovation",
                    [
                        "Digitalisierung lernen / Digitales Lernen / Soziale Kompetenz erwerben",
                        "Weiterentwicklung Thema „Wissenstransfer“ Innerbetrieblich / intraregional",
                        "Arbeit 4.0",
                        "Digitales Leben - Solidarität",
                    ],
                ),
            ],
        ),
        (
            "Rekrutierung und Matching",
            False,
            [
                (
                    "Rekrutierung von pädagogischen und pflegerischen Fachkräften und im medizinischen Bereich",
                    [],
                ),
                ("Rückkehrförderung", []),
                ("Transparenz, Vermarktung und Vernetzung bestehender Angebote", []),
                ("Zweitbewerber-Börse online", []),
                ("Dual Career", []),
                ("Arbeitgeber für Frauen attraktiv machen", []),
            ],
        ),
        ("Sonstiges / thematisch offen", True, []),
    ]


def test_braunschweig_joined_by_council_decision(demo: Loaded) -> None:
    first = CooperationAgreement.objects.get(
        phase=son_phase("2015–2018"), organisation__name="Stadt Braunschweig"
    )
    assert first.decision_reference == "DS 15-00153"
    assert first.decision_date == date(2015, 7, 14)
    assert first.decision_body == "Verwaltungsausschuss"
    second = CooperationAgreement.objects.get(
        phase=son_phase("2018–2021"), organisation__name="Stadt Braunschweig"
    )
    assert second.decision_date == date(2018, 6, 5)
    assert second.decision_body == "Verwaltungsausschuss"


def test_phases_and_budgets(demo: Loaded) -> None:
    first = son_phase("2015–2018")
    assert first.virtual_budget == Decimal("1500000.00")
    assert first.funding_rate == Decimal("50.00")
    assert first.project_volume == Decimal("3000000.00")
    assert first.recognised_on is not None
    second = son_phase("2018–2021")
    assert second.starts_on > first.ends_on
    assert second.funding_rate == Decimal("50.00")
    assert second.extension_applied_on is not None
    assert second.extension_applied_on.year == 2018

    assert list(
        FundingPhase.objects.filter(alliance__slug="son")
        .order_by("starts_on")
        .values_list("name", flat=True)
    ) == ["2015–2018", "2018–2021", "2021–2024", "2024–2027", "2027–2030"]

    leine_weser = FundingPhase.objects.get(alliance__slug="leine-weser", name="2018–2021")
    assert leine_weser.virtual_budget == Decimal("2500000.00")
    assert leine_weser.funding_rate == Decimal("50.00")
    assert list(
        FundingPhase.objects.filter(alliance__slug="leine-weser")
        .order_by("starts_on")
        .values_list("name", flat=True)
    ) == ["2018–2021", "2021–2024", "2024–2027"]


LOCAL_AUTHORITIES = {
    # SüdOstNiedersachsen: three independent cities, five districts (facts).
    "Stadt Braunschweig": Territory.INDEPENDENT_CITY,
    "Stadt Wolfsburg": Territory.INDEPENDENT_CITY,
    "Stadt Salzgitter": Territory.INDEPENDENT_CITY,
    "Landkreis Gifhorn": Territory.DISTRICT,
    "Landkreis Goslar": Territory.DISTRICT,
    "Landkreis Helmstedt": Territory.DISTRICT,
    "Landkreis Peine": Territory.DISTRICT,
    "Landkreis Wolfenbüttel": Territory.DISTRICT,
    # Leine-Weser: the Region Hannover counts as a district.
    "Region Hannover": Territory.DISTRICT,
    "Landkreis Hameln-Pyrmont": Territory.DISTRICT,
    "Landkreis Schaumburg": Territory.DISTRICT,
}


def test_local_authorities_have_their_territory(demo: Loaded) -> None:
    municipal = Organisation.objects.filter(group__kind=GroupKind.MUNICIPALITIES)
    assert {org.name: org.territory for org in municipal} == LOCAL_AUTHORITIES
    assert not (
        Organisation.objects.exclude(group__kind=GroupKind.MUNICIPALITIES)
        .exclude(territory=Territory.NONE)
        .exists()
    )
    # So the state's composition rule holds on the demo's real partners, for every phase.
    for phase in FundingPhase.objects.filter(recognition_status=RecognitionStatus.RECOGNISED):
        assert composition_problems(phase) == [], phase


def test_tenants_are_separate(demo: Loaded) -> None:
    son, leine_weser = Alliance.objects.get(slug="son"), Alliance.objects.get(slug="leine-weser")
    assert not Organisation.objects.filter(
        alliance=son, name__in=Organisation.objects.filter(alliance=leine_weser).values("name")
    ).exists()
    for model in (Person, Seat, CooperationAgreement):
        for record in model.objects.filter(alliance=leine_weser):
            assert record.organisation.alliance_id == leine_weser.pk
    assert set(
        Membership.objects.filter(user__username="leineweser").values_list(
            "alliance__slug", flat=True
        )
    ) == {"leine-weser"}


EXPECTED_ROLES = {
    "geschaeftsstelle": ("son", Role.OFFICE),
    "sprecher": ("son", Role.SPEAKER),
    "steuerkreis": ("son", Role.STEERING),
    "beratend": ("son", Role.ADVISORY),
    "antrag": ("son", Role.APPLICANT),
    "leineweser": ("leine-weser", Role.OFFICE),
}


def test_one_demo_login_per_role(demo: Loaded) -> None:
    assert [login.username for login in DEMO_LOGINS] == [
        "geschaeftsstelle",
        "sprecher",
        "steuerkreis",
        "beratend",
        "antrag",
        "ministerium",
        "admin",
        "leineweser",
    ]
    for username, (slug, role) in EXPECTED_ROLES.items():
        memberships = Membership.objects.filter(user__username=username)
        assert [(m.alliance.slug, m.role) for m in memberships] == [(slug, role)], username
    assert User.objects.get(username="ministerium").platform_role == PlatformRole.MINISTRY
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.platform_role == PlatformRole.ADMIN
    staff = set(User.objects.filter(is_staff=True).values_list("username", flat=True))
    assert {"geschaeftsstelle", "ministerium", "admin", "leineweser"} <= staff
    assert "sprecher" not in staff

    speaker = Person.objects.get(user__username="sprecher")
    assert speaker.seats.filter(role=SeatRole.SPEAKER).exists()
    advisory = Person.objects.get(user__username="beratend")
    assert advisory.organisation.name == ARL


def test_every_demo_login_authenticates(demo: Loaded, rf: Any) -> None:
    for login in DEMO_LOGINS:
        # The login lockout (django-axes) asks every login for its request.
        request = rf.post("/konto/anmelden/")
        user = authenticate(request, username=login.username, password=login.password)
        assert user is not None, login.username
        assert user.is_demo
        validate_password(login.password, user)  # the password passes the validators


def test_demo_logins_refused_where_demo_logins_are_off(
    demo: Loaded, settings: Any, rf: Any
) -> None:
    settings.BUENDNIS_ALLOW_DEMO_LOGINS = False
    for login in DEMO_LOGINS:
        request = rf.post("/konto/anmelden/")
        assert authenticate(request, username=login.username, password=login.password) is None


def test_command_prints_the_logins(demo: Loaded) -> None:
    out = StringIO()
    call_command("load_demo", stdout=out)
    output = out.getvalue()
    assert "0 neue Datensätze" in output
    for login in DEMO_LOGINS:
        assert login.username in output
        assert login.password in output


def test_command_survives_a_demo_the_office_has_reshaped(demo: Loaded) -> None:
    """`make run` loads the demo before every start: a refused record must not stop the server."""
    phase = son_phase("2018–2021")
    phase.name = "2018 bis 2021"
    phase.save()
    before = AuditEntry.objects.count()
    out, err = StringIO(), StringIO()
    call_command("load_demo", stdout=out, stderr=err)
    # The renamed phase would be created again and overlap the existing one: refused, rolled back.
    assert "überschneidet sich" in err.getvalue()
    assert "geschaeftsstelle" in out.getvalue()
    assert not FundingPhase.objects.filter(alliance__slug="son", name="2018–2021").exists()
    assert AuditEntry.objects.count() == before
