"""How well the engine finds ideas that say the same thing (README, "Ideenpool").

Each idea with cluster mates asks for its neighbours among all others; P@3, R@3 (cluster mates
in the top 3 ÷ cluster mates) and R@5 are printed with the test run and kept as properties in
the JUnit report. The labelled pool is the one the engine was tuned on; the held-out pool was
written before tuning and checks that it generalises.
"""

import pytest

from buendnis.ideas.similarity import Corpus

from .quality import Measures, Pool, measure


def _measure(pool: Pool, encodings: list[bytes]) -> Measures:
    keys = [item["id"] for item in pool.items]
    return measure(pool, encodings, Corpus.build(zip(keys, encodings, strict=True)))


def _report(
    name: str,
    measures: Measures,
    capsys: pytest.CaptureFixture[str],
    record_property: "pytest.RecordProperty",  # type: ignore[name-defined]
) -> None:
    for key in ("p_at_3", "r_at_3", "r_at_5"):
        record_property(f"{name}_{key}", round(getattr(measures, key), 3))
    with capsys.disabled():
        print(f"\n[ideas {name}] {measures.line()}")
        for miss in measures.misses:
            print(f"[ideas {name}]   not all mates in top 3: {miss}")


def test_labelled_pool_finds_four_in_five_cluster_mates(
    labelled: Pool, labelled_encodings: list[bytes], capsys, record_property
) -> None:
    measures = _measure(labelled, labelled_encodings)
    _report("labelled", measures, capsys, record_property)
    assert measures.r_at_3 >= 0.8
    assert measures.r_at_5 >= measures.r_at_3


def test_heldout_pool_generalises(
    heldout: Pool, heldout_encodings: list[bytes], capsys, record_property
) -> None:
    measures = _measure(heldout, heldout_encodings)
    _report("heldout", measures, capsys, record_property)
    # A floor, not the target: the pool was never tuned on (it measured 0.94 when written).
    assert measures.r_at_3 >= 0.75
    assert measures.hard_negatives_below >= measures.hard_negatives - 2


def test_labelled_hard_negatives_rank_below_every_real_overlap(
    labelled: Pool, labelled_encodings: list[bytes]
) -> None:
    keys = [item["id"] for item in labelled.items]
    corpus = Corpus.build(zip(keys, labelled_encodings, strict=True))
    clusters = {item["id"]: item["cluster"] for item in labelled.items}
    for pair in labelled.hard_negatives:
        query = keys.index(pair["query"])
        ranked = [m.key for m in corpus.similar(labelled_encodings[query], k=len(keys))]
        mates = [key for key in ranked if clusters[key] == clusters[pair["query"]]]
        assert ranked.index(pair["negative"]) > max(ranked.index(mate) for mate in mates), pair


@pytest.mark.parametrize(
    ("query", "mate", "negative"),
    [
        # The issue's two examples, in the pool's words.
        (
            "ltu-1",
            "ltu-2",
            "debt-1",
        ),  # Langzeitarbeitslose / "seit mehr als einem Jahr keine Arbeit"
        (
            "bkf-1",
            "bkf-2",
            "rest-1",
        ),  # Berufskraftfahrer / "Fahrerinnen und Fahrer im Güterverkehr"
    ],
)
def test_the_issues_examples(
    labelled: Pool, labelled_encodings: list[bytes], query: str, mate: str, negative: str
) -> None:
    keys = [item["id"] for item in labelled.items]
    corpus = Corpus.build(zip(keys, labelled_encodings, strict=True))
    ranked = [m.key for m in corpus.similar(labelled_encodings[keys.index(query)], k=10)]
    assert ranked.index(mate) < 3
    assert negative not in ranked or ranked.index(negative) > ranked.index(mate)
