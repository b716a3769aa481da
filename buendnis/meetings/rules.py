"""The decision rules of the bodies, free of the database so they can be tested exhaustively.

Quorum: more than `quorum_percent` of the voting seats are represented (default: more than half).
Recused organisations (the applicant of a project, or one that declared itself biased) count
towards the quorum, since they are present, but neither vote nor block.

Consensus (einvernehmlich): decided when the meeting is quorate and no present, voting,
non-recused organisation objects. Abstentions do not block. At least one voting organisation
must agree: a matter on which everyone abstains has not been decided.

Umlaufbeschluss: every voting organisation is asked in writing; it passes when none objects and
every one has answered (or, where the body allows it, silence counts as consent); again at least
one must agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Quorum:
    voting_seats: int
    present: int
    percent: int

    @property
    def required(self) -> int:
        # "More than p %": the smallest whole number strictly above seats × p / 100.
        return self.voting_seats * self.percent // 100 + 1

    @property
    def met(self) -> bool:
        return self.voting_seats > 0 and self.present >= self.required


@dataclass(frozen=True)
class Consensus:
    quorum: Quorum
    voters: frozenset[int]  # present, voting, not recused
    objecting: frozenset[int]
    abstaining: frozenset[int]
    agreeing: frozenset[int]

    @property
    def agreed(self) -> bool:
        return self.quorum.met and not self.objecting and bool(self.agreeing)


def consensus(
    *,
    entitled: frozenset[int],
    present: frozenset[int],
    recused: frozenset[int],
    objecting: frozenset[int],
    abstaining: frozenset[int],
    quorum_percent: int,
) -> Consensus:
    """The consensus of a meeting on one item. Objections and abstentions of organisations that
    are absent, not entitled or recused do not count (the service refuses such input before)."""
    present_voting = present & entitled
    voters = present_voting - recused
    counted_objecting = objecting & voters
    counted_abstaining = (abstaining & voters) - counted_objecting
    return Consensus(
        quorum=Quorum(
            voting_seats=len(entitled), present=len(present_voting), percent=quorum_percent
        ),
        voters=voters,
        objecting=counted_objecting,
        abstaining=counted_abstaining,
        agreeing=voters - counted_objecting - counted_abstaining,
    )


AGREE = "agree"
OBJECT = "object"
ABSTAIN = "abstain"


@dataclass(frozen=True)
class CirculationTally:
    voters: frozenset[int]
    agreeing: frozenset[int]
    objecting: frozenset[int]
    abstaining: frozenset[int]
    silent: frozenset[int]
    silence_is_consent: bool

    @property
    def complete(self) -> bool:
        """Every voting organisation has answered."""
        return not self.silent

    @property
    def passed(self) -> bool:
        if self.objecting:
            return False
        if self.silent and not self.silence_is_consent:
            return False
        consenting = self.agreeing | (self.silent if self.silence_is_consent else frozenset())
        return bool(consenting)


def circulation_tally(
    *,
    entitled: frozenset[int],
    recused: frozenset[int],
    answers: Mapping[int, str],
    silence_is_consent: bool,
) -> CirculationTally:
    """The state of a written circulation from the answers given so far (one per organisation).
    Answers of organisations that are not asked, or recused, do not count."""
    voters = entitled - recused
    counted = {org: answer for org, answer in answers.items() if org in voters}
    return CirculationTally(
        voters=voters,
        agreeing=frozenset(org for org, answer in counted.items() if answer == AGREE),
        objecting=frozenset(org for org, answer in counted.items() if answer == OBJECT),
        abstaining=frozenset(org for org, answer in counted.items() if answer == ABSTAIN),
        silent=voters - frozenset(counted),
        silence_is_consent=silence_is_consent,
    )
