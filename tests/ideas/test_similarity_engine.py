"""The engine's contract: encodings, versions, exclusion, reasons, and odd input."""

import struct

import pytest

from buendnis.ideas.similarity import (
    ENCODING_VERSION,
    Corpus,
    Doc,
    OutdatedEncoding,
    encode,
    encode_many,
    is_current,
)
from buendnis.ideas.similarity._text import fold_gender, masculine, split_compound, terms

from .quality import Pool


@pytest.fixture(scope="module")
def corpus(labelled: Pool, labelled_encodings: list[bytes]) -> Corpus:
    return Corpus.build(
        (item["id"], data) for item, data in zip(labelled.items, labelled_encodings, strict=True)
    )


def _data(pool: Pool, encodings: list[bytes], key: str) -> bytes:
    return encodings[[item["id"] for item in pool.items].index(key)]


def test_never_returns_the_query_itself(corpus, labelled, labelled_encodings) -> None:
    data = _data(labelled, labelled_encodings, "ltu-1")
    without_exclude = [m.key for m in corpus.similar(data, k=len(corpus))]
    with_exclude = [m.key for m in corpus.similar(data, k=5, exclude="ltu-1")]
    assert "ltu-1" not in without_exclude
    assert "ltu-1" not in with_exclude
    assert len(without_exclude) == len(corpus) - 1


def test_exclude_takes_one_key_or_several(corpus, labelled, labelled_encodings) -> None:
    data = _data(labelled, labelled_encodings, "ltu-1")
    best = corpus.similar(data, k=1)[0].key
    assert corpus.similar(data, k=1, exclude=best)[0].key != best
    keys = {m.key for m in corpus.similar(data, k=10, exclude=["ltu-2", "ltu-3"])}
    assert not keys & {"ltu-2", "ltu-3"}


def test_scores_are_between_zero_and_one_best_first(corpus, labelled, labelled_encodings) -> None:
    matches = corpus.similar(_data(labelled, labelled_encodings, "bkf-1"), k=10)
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_reasons_name_the_shared_target_group_and_aim_in_german(
    corpus, labelled, labelled_encodings
) -> None:
    matches = corpus.similar(_data(labelled, labelled_encodings, "ltu-1"), k=3)
    reasons = " | ".join(r for m in matches if m.key == "ltu-2" for r in m.reasons)
    assert "Gleiche Zielgruppe: Langzeitarbeitslose" in reasons
    assert "Gleiches Ziel: Arbeitsaufnahme" in reasons
    assert all(m.reasons for m in matches)


def test_encoding_round_trip_and_size() -> None:
    data = encode(Doc(title="Langzeitarbeitslose in Arbeit", target_group="Langzeitarbeitslose"))
    assert is_current(data)
    assert len(data) < 4096
    corpus = Corpus.build([("a", data)])
    assert "a" in corpus and len(corpus) == 1


def test_outdated_encodings_are_recognised(labelled_encodings) -> None:
    data = bytearray(labelled_encodings[0])
    struct.pack_into("<H", data, 4, ENCODING_VERSION + 1)
    old = bytes(data)
    assert not is_current(old)
    assert not is_current(b"")
    corpus = Corpus.build([("old", old), ("new", labelled_encodings[1])])
    assert corpus.outdated == ["old"] and len(corpus) == 1
    with pytest.raises(OutdatedEncoding):
        corpus.similar(old)


def test_a_new_idea_is_matchable_at_once_and_can_be_replaced_and_removed(
    labelled, labelled_encodings
) -> None:
    corpus = Corpus.build(
        (item["id"], data) for item, data in zip(labelled.items, labelled_encodings, strict=True)
    )
    new = encode(
        Doc(
            title="Arbeitslose seit Jahren wieder in Arbeit bringen",
            text="Wer seit mehr als zwei Jahren keinen Job hat, bekommt ein Coaching und ein Praktikum.",
            target_group="Langzeitarbeitslose",
        )
    )
    corpus.add("new", new)
    top = [m.key for m in corpus.similar(_data(labelled, labelled_encodings, "ltu-1"), k=4)]
    assert "new" in top
    corpus.add("new", encode(Doc(title="Rastplätze für Lkw")))  # replaced, not doubled
    assert len(corpus) == len(labelled.items) + 1
    corpus.remove("new")
    assert "new" not in corpus
    assert "new" not in {m.key for m in corpus.similar(new, k=len(labelled.items) + 1)}


@pytest.mark.parametrize(
    "doc",
    [
        Doc(title=""),
        Doc(title="x"),
        Doc(title="!!!", text="   "),
        Doc(title="Pflege", topics=["Pflege", "Ausbildung"]),
        Doc(title="a" * 50_000),
    ],
)
def test_empty_and_very_short_texts_do_not_crash(corpus, doc: Doc) -> None:
    data = encode(doc)
    matches = corpus.similar(data, k=3)
    assert len(matches) == 3
    assert all(isinstance(m.score, float) for m in matches)


def test_empty_corpus_and_bulk_encoding() -> None:
    assert Corpus.build([]).similar(encode(Doc(title="Pflege")), k=5) == []
    assert encode_many([]) == []


def test_german_text_pipeline() -> None:
    assert fold_gender("Fahrer*innen, Lehrer:innen, KollegInnen") == "Fahrer, Lehrer, Kolleg"
    assert masculine("Fahrerinnen") == "Fahrer"
    assert masculine("Medizin") == "Medizin"
    assert split_compound("Langzeitarbeitslose")[1:] == ("Langzeit", "Arbeitslose")
    assert split_compound("Menschen") == ("Menschen",)
    assert "fahr" in terms("Berufskraftfahrer").weights
    assert "fahr" in terms("Fahrerinnen und Fahrer im Güterverkehr").weights
