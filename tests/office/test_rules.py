"""The inbox's pure rules: moves, due dates, overdue, placeholders, subjects, threading, median."""

from datetime import date
from decimal import Decimal

import pytest

from buendnis.office import rules
from buendnis.office.rules import Status as S


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        (S.NEW, S.IN_PROGRESS, True),
        (S.NEW, S.WAITING, True),
        (S.NEW, S.DONE, True),
        (S.IN_PROGRESS, S.WAITING, True),
        (S.IN_PROGRESS, S.DONE, True),
        (S.WAITING, S.IN_PROGRESS, True),
        (S.WAITING, S.DONE, True),
        (S.DONE, S.IN_PROGRESS, True),  # reopened
        # Nothing goes back to "neu", a closed one reopens only into work.
        (S.IN_PROGRESS, S.NEW, False),
        (S.WAITING, S.NEW, False),
        (S.DONE, S.NEW, False),
        (S.DONE, S.WAITING, False),
        # Staying is no move.
        (S.NEW, S.NEW, False),
        (S.DONE, S.DONE, False),
        ("unknown", S.DONE, False),
    ],
)
def test_moves(source: str, target: str, allowed: bool) -> None:
    assert rules.can_move(source, target) is allowed


def test_every_state_has_its_moves() -> None:
    assert set(rules.TRANSITIONS) == set(S.values)
    assert {S.NEW, S.IN_PROGRESS, S.WAITING} == rules.OPEN_STATES


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 6, 1), 5, date(2026, 6, 8)),  # Monday → next Monday
        (date(2026, 6, 5), 1, date(2026, 6, 8)),  # Friday → Monday
        (date(2026, 6, 6), 1, date(2026, 6, 8)),  # Saturday → Monday
        (date(2026, 6, 7), 5, date(2026, 6, 12)),  # Sunday → Friday
        (date(2026, 6, 3), 10, date(2026, 6, 17)),
        (date(2026, 6, 3), 0, date(2026, 6, 3)),
    ],
)
def test_working_days(start: date, days: int, due: date) -> None:
    assert rules.working_days_after(start, days) == due
    assert rules.due_after(start, days) == due


def test_overdue_is_open_and_past_the_due_day() -> None:
    today = date(2026, 6, 10)
    assert rules.is_overdue(S.NEW, date(2026, 6, 9), today)
    assert rules.is_overdue(S.WAITING, date(2026, 6, 1), today)
    assert not rules.is_overdue(S.NEW, today, today)  # due today is not late yet
    assert not rules.is_overdue(S.DONE, date(2026, 6, 1), today)
    assert not rules.is_overdue(S.NEW, None, today)


VALUES = {
    "name": "Erika Muster",
    "betreff": "Förderung",
    "anfrage": "17",
    "buendnis": "Fachkräftebündnis SüdOstNiedersachsen",
    "geschaeftsstelle": "Allianz für die Region GmbH",
    "bearbeiter": "Maria Lindner",
}


def test_placeholders_are_filled() -> None:
    text = "Guten Tag {name}, zu „{betreff}“ (#{anfrage}): {buendnis}, {geschaeftsstelle}, {bearbeiter}"
    assert rules.fill_placeholders(text, VALUES) == (
        "Guten Tag Erika Muster, zu „Förderung“ (#17): Fachkräftebündnis SüdOstNiedersachsen, "
        "Allianz für die Region GmbH, Maria Lindner"
    )


@pytest.mark.parametrize(
    "attempt",
    [
        "{{ settings.SECRET_KEY }}",
        "{% debug %}",
        "{% load static %}{% static 'x' %}",
        "{name.__class__.__mro__}",
        "{name[0]}",
        "{0}",
        "{name!r}",
        "{name:>30}",
        "${name}",  # stays "$" + the value: no other syntax
    ],
)
def test_no_template_syntax_is_ever_evaluated(attempt: str) -> None:
    filled = rules.fill_placeholders(attempt, VALUES)
    if attempt == "${name}":
        assert filled == "$Erika Muster"
    else:
        assert filled == attempt


def test_values_are_not_filled_again() -> None:
    """A person named "{betreff}" does not pull the subject into the text."""
    filled = rules.fill_placeholders("{name}: {betreff}", {**VALUES, "name": "{betreff} {anfrage}"})
    assert filled == "{betreff} {anfrage}: Förderung"


def test_unknown_placeholders_are_named_once() -> None:
    assert rules.unknown_placeholders("{Name} {name} {foo} {Name} {{ x }}") == ["Name", "foo"]
    assert rules.fill_placeholders("{Name} {foo}", VALUES) == "{Name} {foo}"


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Frage zur Förderung", "Re: Frage zur Förderung [Anfrage #42]"),
        ("Re: Frage [Anfrage #42]", "Re: Frage [Anfrage #42]"),
        ("AW: Re: WG: Frage", "Re: Frage [Anfrage #42]"),
        ("Frage\r\nBcc: x@example.org", "Re: Frage Bcc: x@example.org [Anfrage #42]"),
        ("", "Re: [Anfrage #42]"),
    ],
)
def test_reply_subject(subject: str, expected: str) -> None:
    assert rules.reply_subject(subject, 42) == expected


def test_token() -> None:
    assert rules.subject_token(7) == "[Anfrage #7]"
    assert rules.token_in("AW: Re: Frage [Anfrage #7]") == 7
    assert rules.token_in("Re: [Anfrage #7] und [Anfrage #9]") == 9
    assert rules.token_in("Anfrage 7") is None
    assert rules.token_in("") is None


def test_message_ids_and_references() -> None:
    assert rules.message_ids_in("<a@x> <b@y>\r\n <c@z>") == ["<a@x>", "<b@y>", "<c@z>"]
    assert rules.message_ids_in(None) == []
    assert rules.references_for("<root@x> <b@x>", "<c@x>") == "<root@x> <b@x> <c@x>"
    assert rules.references_for("", "<c@x>") == "<c@x>"
    long_chain = " ".join(f"<m{n}@x>" for n in range(30))
    # The root stays; the newest follow.
    assert rules.references_for(long_chain, "<last@x>", keep=5).split() == [
        "<m0@x>",
        "<m27@x>",
        "<m28@x>",
        "<m29@x>",
        "<last@x>",
    ]


def test_median_in_days() -> None:
    day = 24 * 60 * 60
    assert rules.median_days([]) is None
    assert rules.median_days([day]) == Decimal("1.0")
    assert rules.median_days([3 * day, day, 2 * day]) == Decimal("2.0")
    assert rules.median_days([day, 2 * day]) == Decimal("1.5")
    assert rules.median_days([day / 4]) == Decimal("0.3")
