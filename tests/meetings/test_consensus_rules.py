"""The decision rules of the bodies (`meetings.rules`), over random bodies: quorum, consensus and
the written circulation. No database: the rules are pure functions of sets of organisation ids.

Each property states a sentence of the rules' docstring; the monotonic ones say which change can
never turn a matter that was not agreed into an agreed one (and name the change that can).
"""

from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from buendnis.meetings import rules
from buendnis.meetings.rules import ABSTAIN, AGREE, OBJECT, Quorum

# Fast enough for every run of the suite; no deadline, since a loaded CI machine is no bug; no
# example database, so a test run leaves no files behind.
FAST = settings(deadline=None, max_examples=200, database=None)
# An organisation none of the drawn sets contains.
NEWCOMER = 99

ORGS = st.integers(min_value=1, max_value=10)
IDS = st.frozensets(ORGS, max_size=10)
PERCENT = st.integers(min_value=0, max_value=100)


@st.composite
def meetings(draw: st.DrawFn) -> dict:
    """A meeting on one item: who has a vote, who came, who is recused, who objects or abstains.

    Objections and abstentions are drawn from every organisation, also absent, advisory and
    recused ones: the rule must ignore those (the service refuses them before)."""
    entitled = draw(IDS)
    present = draw(IDS)
    recused = draw(IDS)
    objecting = draw(IDS)
    abstaining = draw(IDS)
    return {
        "entitled": entitled,
        "present": present,
        "recused": recused,
        "objecting": objecting,
        "abstaining": abstaining,
        "quorum_percent": draw(PERCENT),
    }


def agreed(**meeting: object) -> bool:
    return rules.consensus(**meeting).agreed  # type: ignore[arg-type]


def expected(meeting: dict) -> bool:
    """The rule in words: quorate (more than `percent` of the voting seats represented), no
    present voting non-recused organisation objects, and at least one of them agrees (neither
    objects nor abstains)."""
    entitled, present = meeting["entitled"], meeting["present"]
    present_voting = entitled & present
    voters = present_voting - meeting["recused"]
    quorate = (
        bool(entitled) and len(present_voting) * 100 > len(entitled) * meeting["quorum_percent"]
    )
    objects = bool(voters & meeting["objecting"])
    agrees = bool(voters - meeting["objecting"] - meeting["abstaining"])
    return quorate and not objects and agrees


# --- Quorum -------------------------------------------------------------------------------------


@FAST
@given(seats=st.integers(min_value=0, max_value=500), percent=PERCENT)
@example(seats=28, percent=50)  # the Steuerkreis of the paper: 15 of 28
@example(seats=5, percent=50)  # the Sprecherkreis: 3 of 5
@example(seats=4, percent=50)  # exactly half is not enough: 3 of 4
def test_required_is_the_smallest_whole_number_strictly_above_the_share(seats, percent):
    share = Fraction(seats * percent, 100)
    required = Quorum(voting_seats=seats, present=0, percent=percent).required
    assert required > share
    assert required - 1 <= share


def test_required_in_the_bodies_of_the_paper():
    assert Quorum(voting_seats=28, present=0, percent=50).required == 15
    assert Quorum(voting_seats=5, present=0, percent=50).required == 3
    assert Quorum(voting_seats=4, present=0, percent=50).required == 3
    assert Quorum(voting_seats=3, present=0, percent=66).required == 2
    assert Quorum(voting_seats=10, present=0, percent=0).required == 1


@FAST
@given(seats=st.integers(min_value=0, max_value=200), data=st.data(), percent=PERCENT)
def test_quorum_is_met_when_more_than_the_share_is_present(seats, data, percent):
    present = data.draw(st.integers(min_value=0, max_value=seats))
    quorum = Quorum(voting_seats=seats, present=present, percent=percent)
    assert quorum.met == (seats > 0 and present * 100 > seats * percent)


def test_a_body_without_voting_seats_is_never_quorate():
    assert not Quorum(voting_seats=0, present=0, percent=0).met


# --- Consensus ----------------------------------------------------------------------------------


@FAST
@given(meeting=meetings())
def test_agreed_exactly_when_quorate_unopposed_and_someone_agrees(meeting):
    assert agreed(**meeting) == expected(meeting)


@FAST
@given(meeting=meetings())
def test_the_result_counts_only_present_voting_non_recused_organisations(meeting):
    result = rules.consensus(**meeting)
    voters = (meeting["entitled"] & meeting["present"]) - meeting["recused"]
    assert result.voters == voters
    assert result.objecting <= voters
    assert result.abstaining <= voters
    assert result.agreeing <= voters
    # Every voter is in exactly one of the three; an organisation that objects and abstains objects.
    assert result.objecting | result.abstaining | result.agreeing == voters
    assert not result.objecting & result.abstaining
    assert not result.objecting & result.agreeing
    assert not result.abstaining & result.agreeing
    # Recused organisations are present: they count towards the quorum.
    assert result.quorum.present == len(meeting["entitled"] & meeting["present"])
    assert result.quorum.voting_seats == len(meeting["entitled"])


@FAST
@given(meeting=meetings())
def test_abstentions_never_block(meeting):
    """Whoever abstains, the matter is agreed if it would be agreed with those abstaining
    agreeing instead, as long as someone still agrees."""
    result = rules.consensus(**meeting)
    without = rules.consensus(**{**meeting, "abstaining": frozenset()})
    if without.agreed and result.agreeing:
        assert result.agreed


@FAST
@given(meeting=meetings(), outsiders=IDS)
def test_advisory_absent_and_recused_organisations_never_block_or_agree(meeting, outsiders):
    """Objections and abstentions of organisations without a vote, absent or recused change
    nothing; neither do those organisations count as agreeing."""
    voters = (meeting["entitled"] & meeting["present"]) - meeting["recused"]
    not_voting = outsiders - voters
    result = rules.consensus(**meeting)
    noisier = rules.consensus(
        **{
            **meeting,
            "objecting": meeting["objecting"] | not_voting,
            "abstaining": meeting["abstaining"] | not_voting,
        }
    )
    assert noisier == result
    assert not result.agreeing & not_voting


@FAST
@given(meeting=meetings(), advisory=IDS)
def test_advisory_participants_change_nothing(meeting, advisory):
    """Present organisations without a vote (the Amt für regionale Landesentwicklung): they speak,
    do not count for the quorum, and neither block nor agree."""
    advisory = advisory - meeting["entitled"]
    with_advisory = {
        **meeting,
        "present": meeting["present"] | advisory,
        "objecting": meeting["objecting"] | advisory,
    }
    assert rules.consensus(**with_advisory) == rules.consensus(**meeting)


@FAST
@given(meeting=meetings(), organisation=ORGS)
def test_an_added_abstention_never_turns_not_agreed_into_agreed(meeting, organisation):
    before = agreed(**meeting)
    after = agreed(**{**meeting, "abstaining": meeting["abstaining"] | {organisation}})
    assert not (after and not before)


@FAST
@given(meeting=meetings(), organisation=ORGS)
def test_an_added_objection_never_turns_not_agreed_into_agreed(meeting, organisation):
    before = agreed(**meeting)
    after = agreed(**{**meeting, "objecting": meeting["objecting"] | {organisation}})
    assert not (after and not before)


@FAST
@given(meeting=meetings(), objects=st.booleans())
def test_an_added_absent_voting_seat_never_turns_not_agreed_into_agreed(meeting, objects):
    """One more voting seat, not represented: the quorum only gets harder (and an objection sent
    by the absent organisation does not count)."""
    before = agreed(**meeting)
    seat_added = {
        **meeting,
        "entitled": meeting["entitled"] | {NEWCOMER},
        "objecting": meeting["objecting"] | ({NEWCOMER} if objects else set()),
    }
    assert not (agreed(**seat_added) and not before)


@FAST
@given(meeting=meetings(), organisation=ORGS)
def test_leaving_the_room_never_helps_unless_the_one_leaving_objected(meeting, organisation):
    """A present organisation leaves before the vote. Only an objector leaving can turn the matter
    into an agreed one (its objection leaves with it): an abstaining or agreeing one can not."""
    meeting = {**meeting, "present": meeting["present"] | {organisation}}
    before = agreed(**meeting)
    after = agreed(**{**meeting, "present": meeting["present"] - {organisation}})
    voters = (meeting["entitled"] & meeting["present"]) - meeting["recused"]
    if after and not before:
        assert organisation in voters & meeting["objecting"]


@FAST
@given(meeting=meetings(), organisation=ORGS)
def test_a_recusal_never_helps_unless_the_recused_one_objected(meeting, organisation):
    """A recused organisation still counts for the quorum, so recusing one that agreed or
    abstained can only lose agreement; recusing the (only) objector removes the objection."""
    before = agreed(**meeting)
    after = agreed(**{**meeting, "recused": meeting["recused"] | {organisation}})
    voters = (meeting["entitled"] & meeting["present"]) - meeting["recused"]
    if after and not before:
        assert organisation in voters & meeting["objecting"]


@FAST
@given(meeting=meetings(), organisation=ORGS)
def test_an_objection_turned_abstention_is_the_only_answer_change_that_can_help(
    meeting, organisation
):
    """One voter changes its answer. To object never helps; to abstain helps only an objector
    (its objection goes); to agree helps an objector or the last one abstaining."""
    # The organisation is a voter: entitled, present, not recused.
    meeting = {
        **meeting,
        "entitled": meeting["entitled"] | {organisation},
        "present": meeting["present"] | {organisation},
        "recused": meeting["recused"] - {organisation},
    }
    if organisation in meeting["objecting"]:
        current = OBJECT
    elif organisation in meeting["abstaining"]:
        current = ABSTAIN
    else:
        current = AGREE
    others_objecting = meeting["objecting"] - {organisation}
    others_abstaining = meeting["abstaining"] - {organisation}
    answers = {
        OBJECT: {
            **meeting,
            "objecting": others_objecting | {organisation},
            "abstaining": others_abstaining,
        },
        ABSTAIN: {
            **meeting,
            "objecting": others_objecting,
            "abstaining": others_abstaining | {organisation},
        },
        AGREE: {**meeting, "objecting": others_objecting, "abstaining": others_abstaining},
    }
    helps = {OBJECT: set(), ABSTAIN: {OBJECT}, AGREE: {OBJECT, ABSTAIN}}
    before = agreed(**meeting)
    for answer, changed in answers.items():
        if agreed(**changed) and not before:
            assert current in helps[answer], (current, answer)


def test_an_objection_turned_abstention_can_make_the_matter_agreed():
    """The exception to the abstention rule above, as an example: the only objector abstains."""
    meeting = {
        "entitled": frozenset({1, 2, 3}),
        "present": frozenset({1, 2, 3}),
        "recused": frozenset(),
        "abstaining": frozenset(),
        "quorum_percent": 50,
    }
    assert not agreed(**meeting, objecting=frozenset({3}))
    assert agreed(**{**meeting, "abstaining": frozenset({3})}, objecting=frozenset())


@FAST
@given(meeting=meetings())
def test_one_more_present_voter_who_agrees_never_loses_agreement(meeting):
    """One more voting seat, represented, agreeing: the quorum needs at most one more."""
    before = agreed(**meeting)
    after = agreed(
        **{
            **meeting,
            "entitled": meeting["entitled"] | {NEWCOMER},
            "present": meeting["present"] | {NEWCOMER},
        }
    )
    assert not (before and not after)


@FAST
@given(meeting=meetings())
def test_everyone_abstaining_is_not_agreed(meeting):
    voters = (meeting["entitled"] & meeting["present"]) - meeting["recused"]
    assert not agreed(**{**meeting, "abstaining": meeting["abstaining"] | voters})


@pytest.mark.parametrize(
    ("present", "objecting", "abstaining", "recused", "result"),
    [
        ({1, 2, 3}, set(), set(), set(), True),
        ({1, 2}, set(), set(), set(), False),  # 2 of 4 is not more than half
        ({1, 2, 3}, {3}, set(), set(), False),
        ({1, 2, 3}, set(), {2, 3}, set(), True),
        ({1, 2, 3}, set(), {1, 2, 3}, set(), False),
        ({1, 2, 3}, {3}, set(), {3}, True),  # the applicant neither votes nor blocks
        ({1, 2, 3}, set(), {1, 2}, {3}, False),  # and does not agree either
        ({1, 2, 3, 9}, {9}, set(), set(), True),  # 9 is advisory
        ({1, 2, 3}, {4}, set(), set(), True),  # 4 is absent
    ],
)
def test_consensus_examples(present, objecting, abstaining, recused, result):
    assert (
        agreed(
            entitled=frozenset({1, 2, 3, 4}),
            present=frozenset(present),
            recused=frozenset(recused),
            objecting=frozenset(objecting),
            abstaining=frozenset(abstaining),
            quorum_percent=50,
        )
        is result
    )


# --- Umlaufbeschluss ----------------------------------------------------------------------------


@st.composite
def circulations(draw: st.DrawFn) -> dict:
    entitled = draw(IDS)
    recused = draw(
        st.frozensets(st.sampled_from(sorted(entitled)), max_size=3)
        if entitled
        else st.just(frozenset())
    )
    answers = draw(st.dictionaries(ORGS, st.sampled_from([AGREE, OBJECT, ABSTAIN]), max_size=10))
    return {
        "entitled": entitled,
        "recused": recused,
        "answers": answers,
        "silence_is_consent": draw(st.booleans()),
    }


def tally(**circulation: object) -> rules.CirculationTally:
    return rules.circulation_tally(**circulation)  # type: ignore[arg-type]


@FAST
@given(circulation=circulations())
def test_a_circulation_passes_exactly_as_the_rule_says(circulation):
    """Passed iff no voter objects, everyone answered (or silence consents), and someone
    consents (agrees, or is silent where silence is consent)."""
    voters = circulation["entitled"] - circulation["recused"]
    counted = {org: answer for org, answer in circulation["answers"].items() if org in voters}
    silent = voters - set(counted)
    objects = OBJECT in counted.values()
    consents = AGREE in counted.values() or (circulation["silence_is_consent"] and bool(silent))
    complete_enough = not silent or circulation["silence_is_consent"]
    result = tally(**circulation)
    assert result.passed == (not objects and complete_enough and consents)
    assert result.complete == (not silent)
    assert result.silent == silent


@FAST
@given(
    circulation=circulations(),
    strangers=st.dictionaries(ORGS, st.sampled_from([AGREE, OBJECT, ABSTAIN])),
)
def test_answers_of_organisations_not_asked_or_recused_are_ignored(circulation, strangers):
    voters = circulation["entitled"] - circulation["recused"]
    ignored = {org: answer for org, answer in strangers.items() if org not in voters}
    noisier = {**circulation, "answers": {**circulation["answers"], **ignored}}
    assert tally(**noisier) == tally(
        **{
            **circulation,
            "answers": {o: a for o, a in circulation["answers"].items() if o in voters},
        }
    )


@FAST
@given(circulation=circulations(), organisation=ORGS)
def test_an_objection_never_lets_a_circulation_pass(circulation, organisation):
    circulation = {
        **circulation,
        "entitled": circulation["entitled"] | {organisation},
        "recused": circulation["recused"] - {organisation},
    }
    objected = {**circulation, "answers": {**circulation["answers"], organisation: OBJECT}}
    assert not tally(**objected).passed


@FAST
@given(circulation=circulations(), organisation=ORGS)
def test_a_silent_organisation_agreeing_never_lets_a_circulation_fail(circulation, organisation):
    # The organisation is asked, not recused, and has not answered yet.
    circulation = {
        **circulation,
        "entitled": circulation["entitled"] | {organisation},
        "recused": circulation["recused"] - {organisation},
        "answers": {o: a for o, a in circulation["answers"].items() if o != organisation},
    }
    before = tally(**circulation).passed
    after = tally(
        **{**circulation, "answers": {**circulation["answers"], organisation: AGREE}}
    ).passed
    assert not (before and not after)


@FAST
@given(circulation=circulations())
def test_a_circulation_where_only_abstentions_came_does_not_pass(circulation):
    voters = circulation["entitled"] - circulation["recused"]
    all_abstain = {**circulation, "answers": dict.fromkeys(voters, ABSTAIN)}
    assert not tally(**all_abstain).passed


def test_circulation_examples():
    entitled = frozenset({1, 2, 3})
    assert tally(
        entitled=entitled,
        recused=frozenset(),
        answers={1: AGREE, 2: AGREE, 3: ABSTAIN},
        silence_is_consent=False,
    ).passed
    # Someone has not answered: without silence as consent, not passed (yet).
    assert not tally(
        entitled=entitled,
        recused=frozenset(),
        answers={1: AGREE, 2: AGREE},
        silence_is_consent=False,
    ).passed
    assert tally(
        entitled=entitled,
        recused=frozenset(),
        answers={1: AGREE, 2: AGREE},
        silence_is_consent=True,
    ).passed
    # Silence alone consents where the body says so.
    assert tally(entitled=entitled, recused=frozenset(), answers={}, silence_is_consent=True).passed
    assert not tally(
        entitled=entitled, recused=frozenset(), answers={}, silence_is_consent=False
    ).passed
    # The recused applicant need not answer, and its objection does not count.
    assert tally(
        entitled=entitled,
        recused=frozenset({3}),
        answers={1: AGREE, 2: AGREE, 3: OBJECT},
        silence_is_consent=False,
    ).passed
    # Nobody left to ask: nothing is decided.
    assert not tally(
        entitled=frozenset({3}), recused=frozenset({3}), answers={}, silence_is_consent=True
    ).passed
