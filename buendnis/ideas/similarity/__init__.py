"""Which ideas (and funded projects) of an alliance say the same thing: a pure engine, no models.

    doc = Doc(title, text="", target_group="", aim="", topics=())   # an idea or a project
    data = encode(doc) -> bytes          # store with the idea when it is saved (~2 kB)
    encode_many(docs) -> list[bytes]     # bulk, one model call
    is_current(data) -> bool             # False: written by another ENCODING_VERSION, encode again
    corpus = Corpus.build([(key, data), ...])   # once per process; outdated keys in corpus.outdated
    corpus.add(key, data) / corpus.remove(key)  # a saved idea is matchable at once
    corpus.similar(data, k=10, exclude=key) -> [Match(key, score 0..1, reasons: list[str])]

Signals, fused (Weights): multilingual-E5-small and USE-multilingual vectors (paraphrase),
German terms (Snowball stems, compounds split, gender forms folded), and the field's concepts
in three facets, target group, aim and sector (_concepts), which tell "Langzeitarbeitslose in
Arbeit" from "Schuldnerberatung für Langzeitarbeitslose". Reasons are German phrases:
"Gemeinsame Begriffe: …", "Gleiche Zielgruppe: …", "Gleiches Ziel: …", "Gleiches Feld: …".

The models load on the first encode, once per process (never at import); `similar` needs none.
Figures (R@3, speed, memory): README, "Ideenpool"; scripts/bench_similarity.py.
"""

from ._engine import (
    ENCODING_VERSION,
    Corpus,
    Doc,
    Match,
    OutdatedEncoding,
    Weights,
    encode,
    encode_many,
    is_current,
)

__all__ = [
    "ENCODING_VERSION",
    "Corpus",
    "Doc",
    "Match",
    "OutdatedEncoding",
    "Weights",
    "encode",
    "encode_many",
    "is_current",
]
