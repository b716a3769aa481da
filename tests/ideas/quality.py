"""The labelled idea pools and their measures: P@3, R@3, R@5 and the hard negatives."""

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from buendnis.ideas.similarity import Corpus, Doc

DATA = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Pool:
    items: list[dict[str, Any]]
    hard_negatives: list[dict[str, str]]

    def docs(self) -> list[Doc]:
        return [doc_of(item) for item in self.items]


def load(name: str) -> Pool:
    raw = json.loads((DATA / f"ideas_{name}.json").read_text(encoding="utf-8"))
    return Pool(items=raw["items"], hard_negatives=raw["hard_negatives"])


def doc_of(item: dict[str, Any]) -> Doc:
    return Doc(
        title=item["title"],
        text=item.get("text", ""),
        target_group=item.get("target_group", ""),
        aim=item.get("aim", ""),
        topics=item.get("topics", ()),
    )


@dataclass(frozen=True)
class Measures:
    p_at_3: float
    r_at_3: float
    r_at_5: float
    hard_negatives_below: int
    hard_negatives: int
    misses: list[str]

    def line(self) -> str:
        return (
            f"P@3 {self.p_at_3:.3f}  R@3 {self.r_at_3:.3f}  R@5 {self.r_at_5:.3f}  "
            f"hard negatives below all cluster mates {self.hard_negatives_below}/{self.hard_negatives}"
        )


def measure(pool: Pool, encodings: list[bytes], corpus: Corpus) -> Measures:
    """Each item with cluster mates as query against all others (its own row left out)."""
    clusters = [item["cluster"] for item in pool.items]
    size = Counter(clusters)
    rows = {item["id"]: i for i, item in enumerate(pool.items)}
    hits3 = hits5 = mates = queries = 0
    misses: list[str] = []
    matrix = np.stack([corpus.scores(data) for data in encodings])
    np.fill_diagonal(matrix, -np.inf)
    for i, item in enumerate(pool.items):
        own = size[clusters[i]] - 1
        if own == 0:
            continue
        order = np.argsort(-matrix[i], kind="stable")
        found3 = sum(clusters[j] == clusters[i] for j in order[:3])
        hits3 += found3
        hits5 += sum(clusters[j] == clusters[i] for j in order[:5])
        mates += own
        queries += 1
        if found3 < min(own, 3):
            top = ", ".join(pool.items[j]["id"] for j in order[:3])
            misses.append(f"{item['id']} -> {top}")
    below = 0
    for pair in pool.hard_negatives:
        q, neg = rows[pair["query"]], rows[pair["negative"]]
        mate_scores = [
            matrix[q, j] for j in range(len(clusters)) if j != q and clusters[j] == clusters[q]
        ]
        below += all(score > matrix[q, neg] for score in mate_scores)
    return Measures(
        p_at_3=hits3 / (3 * queries),
        r_at_3=hits3 / mates,
        r_at_5=hits5 / mates,
        hard_negatives_below=below,
        hard_negatives=len(pool.hard_negatives),
        misses=misses,
    )
