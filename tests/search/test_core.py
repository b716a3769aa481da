"""The pieces every search is made of (buendnis/core/search.py): the query, the excerpts, the
merging of two tables' hits. No database."""

from datetime import UTC, date, datetime

import pytest

from buendnis.core import search
from buendnis.core.search import START, STOP, Found, Hit


@pytest.mark.parametrize("raw", [None, "", " ", "a", " ä ", "\n\t"])
def test_too_short_is_no_query(raw: str | None) -> None:
    assert search.terms_of(raw) is None


def test_the_query_as_typed_and_its_words() -> None:
    terms = search.terms_of('  "Duale  Ausbildung"  Metall -Kfz or metall ')
    assert terms is not None
    # The text goes to the full-text search as typed (whitespace folded) …
    assert terms.text == '"Duale Ausbildung" Metall -Kfz or metall'
    # … the fallback gets its words: no quotes, no exclusion, no `or`, each once.
    assert terms.words == ("Duale", "Ausbildung", "Metall")


def test_two_characters_are_enough_and_long_input_is_cut() -> None:
    assert search.terms_of("IT") == search.Terms(text="IT", words=("IT",))
    terms = search.terms_of("x" * 500)
    assert terms is not None
    assert len(terms.text) == search.MAX_LENGTH


def test_only_operators_are_no_query() -> None:
    assert search.terms_of("-Kfz") is None
    assert search.terms_of('"" or') is None


def test_highlight_escapes_everything_but_the_marks() -> None:
    html = search.highlight('<script>alert("Ausbildung")</script> & AUSBILDUNG', ["ausbildung"])
    assert html == (
        "&lt;script&gt;alert(&quot;<mark>Ausbildung</mark>&quot;)&lt;/script&gt; &amp; "
        "<mark>AUSBILDUNG</mark>"
    )


def test_highlight_marks_the_longest_word_first_and_never_inside_an_entity() -> None:
    html = search.highlight("Tom & Jerry: amp, Ampel", ["amp", "ampel"])
    assert html == "Tom &amp; Jerry: <mark>amp</mark>, <mark>Ampel</mark>"


def test_highlight_cuts_around_the_first_match_at_spaces() -> None:
    before = " ".join(f"vorher{n}" for n in range(60))
    after = " ".join(f"nachher{n}" for n in range(60))
    html = search.highlight(f"{before} Ausbildung {after}", ["Ausbildung"])
    assert html.startswith("… vorher")
    assert html.endswith(" …")
    assert "<mark>Ausbildung</mark>" in html
    # Whole words only: no cut inside one.
    for word in html.removeprefix("… ").removesuffix(" …").split(" "):
        assert word.startswith(("vorher", "nachher", "<mark>")), word
    assert len(html) < search.EXCERPT_CHARS + 40


def test_highlight_without_a_match_is_the_beginning() -> None:
    text = " ".join(f"wort{n}" for n in range(100))
    html = search.highlight(text, ["fehlt"])
    assert html.startswith("wort0 wort1")
    assert html.endswith(" …")
    assert "<mark>" not in html


def test_highlight_whole_and_the_separators_of_empty_parts() -> None:
    assert search.highlight(" · Sitzung ·  · Protokoll · ", ["protokoll"], whole=True) == (
        "Sitzung · <mark>Protokoll</mark>"
    )


def test_marked_escapes_the_headline_and_pairs_the_marks() -> None:
    headline = f"a <b>fett</b> & {START}Ausbildungen{STOP} {START}offen"
    assert search.marked(headline) == (
        "a &lt;b&gt;fett&lt;/b&gt; &amp; <mark>Ausbildungen</mark> offen"
    )
    assert search.marked(None) == ""
    # A text that itself held a marker cannot open a tag.
    assert search.marked(f"x{STOP}y{START}") == "xy"


def _hit(score: float, when: datetime | date | None, name: str) -> Hit[str]:
    return Hit(
        row=name,
        title=search.highlight(name, []),
        excerpt=search.highlight("", []),
        when=when,
        score=score,
    )


def test_merged_keeps_the_best_and_adds_the_totals() -> None:
    early = datetime(2024, 1, 1, tzinfo=UTC)
    late = datetime(2025, 1, 1, tzinfo=UTC)
    meetings = Found([_hit(0.5, early, "a"), _hit(0.1, late, "b")], total=7)
    circulations = Found([_hit(0.5, late, "c"), _hit(0.0, date(2026, 1, 1), "d")], total=3)
    merged = search.merged(meetings, circulations, limit=3)
    assert [hit.row for hit in merged.hits] == ["c", "a", "b"]
    assert merged.total == 10
    # Without ranks (the fallback) the newest come first; a missing date last.
    plain = search.merged(
        Found([_hit(0, early, "old"), _hit(0, None, "none")], 2),
        Found([_hit(0, date(2026, 1, 1), "new")], 1),
        limit=10,
    )
    assert [hit.row for hit in plain.hits] == ["new", "old", "none"]
