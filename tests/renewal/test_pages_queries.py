"""The phase page asks the database a fixed number of times, however many partners are asked.

Each query is named in a comment; when a count changes, update the comment too.
"""

from collections.abc import Callable

import pytest

from buendnis.alliances.models import FundingPhase
from buendnis.renewal import services
from tests.factories import AgreementFactory, OrganisationFactory

from .conftest import Cycle, today

pytestmark = pytest.mark.django_db

# Every signed-in page: session; user; alliance by slug; the user's memberships (cached for the
# request); the header's count of unread notifications.
# … and the two-factor check: the session's verified app (django-otp's OTPMiddleware), or,
# where the session has none, whether the user has an app (accounts.middleware).
SIGNED_IN = 6

# The phase page for every reader: the phase; the signature requests with organisation, group
# and agreement; the agreements signed without a request, with organisation and group; the
# strategy's latest versions with their authors (the newest is the one shown); the strategy with
# the decision that adopted it; the fields of action; their topics; the application; the
# ministry's decisions; the phase before (for the carry-over).
READ = 10
# Before recognition, what still keeps the application back: the signed partners (read once
# for the composition and the Sprecherkreis); the Sprecherkreis; its seats on the phase's first
# day and the groups that send a deputy (its own rule); its seats again, against the signatures.
CHECKS = 5
# The office's forms on a phase in preparation: the partners of the phase before (preselected);
# the Steuerkreis' decisions and passed circulations that may adopt the fields; rendering the
# request form, the organisations not yet asked.
OFFICE_FORMS = 4


def grow(cycle: Cycle, phase: FundingPhase, start: int, end: int) -> None:
    """Partners `start`…`end - 1` of the phase in every standing: asked, pending, signed,
    declined, and (every fifth) signed without a request."""
    group = cycle.structure.groups["other"]
    made = [
        OrganisationFactory(alliance=cycle.alliance, group=group, name=f"Partner {n:02d}")
        for n in range(start, end)
    ]
    by_request = [org for number, org in enumerate(made, start) if number % 5 != 4]
    for number, request in enumerate(cycle.ask(phase, by_request)):
        if number % 4 == 1:
            services.signature_mark_pending(
                actor=cycle.office, request=request, decision_body="Rat", reference=f"DS {number}"
            )
        elif number % 4 == 2:
            services.signature_sign(actor=cycle.office, request=request, signed_on=today())
        elif number % 4 == 3:
            services.signature_decline(actor=cycle.office, request=request, declined_on=today())
    for organisation in made:
        if organisation not in by_request:
            AgreementFactory(phase=phase, organisation=organisation, decision_body="Vorstand")


def draft(cycle: Cycle) -> FundingPhase:
    phase = cycle.prepare()
    cycle.write_strategy(phase)
    cycle.adopt(phase)
    return phase


def applied(cycle: Cycle) -> FundingPhase:
    return cycle.applied()


def recognised(cycle: Cycle) -> FundingPhase:
    phase = cycle.applied()
    cycle.decide(phase, "recognised")
    return phase


CASES = [
    # (how the phase stands, who reads it, queries)
    (draft, "office", SIGNED_IN + READ + CHECKS + OFFICE_FORMS),
    (draft, "speaker", SIGNED_IN + READ + CHECKS),
    (applied, "office", SIGNED_IN + READ + CHECKS),  # no forms while the ministry has it
    (applied, "ministry", SIGNED_IN + READ + CHECKS),  # the decision form costs nothing
    (recognised, "member", SIGNED_IN + READ),  # nothing left to check
]


@pytest.mark.parametrize(
    ("stand", "persona", "queries"),
    CASES,
    ids=[f"{stand.__name__}-{persona}" for stand, persona, _ in CASES],
)
def test_the_phase_page_does_not_grow_with_the_partners(
    cycle: Cycle,
    stand: Callable[[Cycle], FundingPhase],
    persona: str,
    queries: int,
    django_assert_num_queries: Callable[..., object],
) -> None:
    phase = stand(cycle)
    client = cycle.client(persona)
    url = f"/son/intern/phasen/{phase.pk}/"
    grow(cycle, phase, 0, 5)
    with django_assert_num_queries(queries):  # type: ignore[attr-defined]
        response = client.get(url)
    assert response.status_code == 200
    assert "Partner 04" in response.content.decode()
    grow(cycle, phase, 5, 25)
    with django_assert_num_queries(queries):  # type: ignore[attr-defined]
        response = client.get(url)
    assert "Partner 24" in response.content.decode()
