"""Encoding an idea to bytes, and ranking a corpus of encodings against one of them."""

import json
import math
import struct
import zlib
from array import array
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from . import _concepts, _models, _text

ENCODING_VERSION = 1
_MAGIC = b"BSIM"
_HEADER = struct.Struct("<4sHHH")  # magic, version, E5 dims, USE dims

_FACETS: tuple[_concepts.Facet, ...] = ("gruppe", "ziel", "feld")
_CONCEPT_KEYS = [concept.key for concept in _concepts.CONCEPTS]
_CONCEPT_COLUMN = {key: i for i, key in enumerate(_CONCEPT_KEYS)}
_FACET_MASK = {
    facet: np.array([c.facet == facet for c in _concepts.CONCEPTS], dtype=bool) for facet in _FACETS
}


class OutdatedEncoding(ValueError):
    """The bytes were written by another ENCODING_VERSION (or are no encoding): encode again."""


@dataclass(frozen=True, slots=True)
class Doc:
    """What an idea or a funding project says. Only `title` or `text` needs content.

    An idea maps title, text, target group, topics and field of action here; a funding project
    its title, summary (text), goals (aim) and target group.
    """

    title: str
    text: str = ""
    target_group: str = ""
    aim: str = ""
    topics: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class Match:
    key: Hashable
    score: float  # 0..1, higher is closer
    reasons: list[str]


@dataclass(frozen=True, slots=True)
class Weights:
    """How the signals add up. The defaults are the tuned ones (README, "Ideenpool")."""

    # E5 is the stronger model and tells hard negatives apart better (alone: R@3 0.78, 12 of 13
    # hard negatives below; USE 0.79 but 10 of 13); USE adds what E5 misses.
    e5: float = 1.5
    use: float = 0.5
    # Shared words: weak alone (R@3 0.49), but they carry names the concepts do not know.
    lexical: float = 0.5
    group: float = 1.0
    aim: float = 1.0
    field: float = 0.3
    # Both name a target group (an aim) in title or target group field and share none: another
    # group (aim). Mild: a concept missing from the list must not push a true mate down (0.5
    # cost up to 0.07 of R@3 on the held-out pool).
    group_mismatch: float = 0.25
    aim_mismatch: float = 0.25


@dataclass(slots=True)
class _Decoded:
    e5: npt.NDArray[np.float32]
    use: npt.NDArray[np.float32]
    terms: dict[str, float]
    surface: dict[str, str]
    concepts: dict[str, float]


# --- encoding --------------------------------------------------------------------------------


_MAX_EMBEDDED_CHARS = 3000


def _embedding_text(doc: Doc) -> str:
    parts = [doc.title.strip()]
    if doc.target_group.strip():
        parts.append(f"Zielgruppe: {doc.target_group.strip()}")
    if doc.aim.strip():
        parts.append(f"Ziel: {doc.aim.strip()}")
    if doc.topics:
        parts.append("Themen: " + ", ".join(doc.topics))
    parts.append(doc.text.strip())
    # Title, group and aim come first; past some 3,000 characters a text adds little to the
    # vector but costs encode time (E5 windows long texts).
    return ". ".join(part for part in parts if part)[:_MAX_EMBEDDED_CHARS]


def _lexical(doc: Doc) -> _text.Terms:
    # The title and the target group say in a few words what the text says at length.
    return _text.merge(
        _text.terms(doc.title, 2.0),
        _text.terms(doc.target_group, 1.5),
        _text.terms(doc.aim, 1.5),
        _text.terms(" ".join(doc.topics), 1.0),
        _text.terms(doc.text, 1.0),
    )


def _concept_weights(doc: Doc) -> dict[str, float]:
    """Concepts with a weight: named in the target group or title counts most."""
    weights: dict[str, float] = {}

    def add(text: str, weight: float, facets: tuple[str, ...] = _FACETS) -> None:
        folded = _text.fold_gender(text).lower()
        for key in _concepts.find(folded):
            if _concepts.BY_KEY[key].facet in facets:
                weights[key] = max(weights.get(key, 0.0), weight)

    add(doc.text, 0.6)
    add(" ".join(doc.topics), 0.8)
    add(doc.aim, 1.0)
    add(doc.title, 1.0)
    # What the target group field names is the group; its other words (a sector) count less.
    add(doc.target_group, 1.0, ("gruppe",))
    add(doc.target_group, 0.6, ("feld",))
    return weights


def _pack(e5: npt.NDArray[np.float32], use: npt.NDArray[np.float32], doc: Doc) -> bytes:
    lexical = _lexical(doc)
    sparse = {
        "t": {term: round(weight, 2) for term, weight in lexical.weights.items()},
        "s": lexical.surface,
        "c": _concept_weights(doc),
    }
    body = zlib.compress(json.dumps(sparse, ensure_ascii=False, separators=(",", ":")).encode())
    header = _HEADER.pack(_MAGIC, ENCODING_VERSION, e5.shape[0], use.shape[0])
    return header + e5.astype("<f2").tobytes() + use.astype("<f2").tobytes() + body


def encode_many(docs: Sequence[Doc]) -> list[bytes]:
    """Encodings of `docs`, in order; one model call per model for all of them."""
    texts = [_embedding_text(doc) or " " for doc in docs]
    e5 = _models.e5(texts)
    use = _models.use(texts)
    return [_pack(e5[i], use[i], doc) for i, doc in enumerate(docs)]


def encode(doc: Doc) -> bytes:
    """One idea's encoding, to store with it (some 2 kB); see ENCODING_VERSION."""
    return encode_many([doc])[0]


def is_current(data: bytes) -> bool:
    """Whether `data` was written by this ENCODING_VERSION (else encode the idea again)."""
    if len(data) < _HEADER.size:
        return False
    magic, version, _, _ = _HEADER.unpack_from(data)
    return bool(magic == _MAGIC and version == ENCODING_VERSION)


def _decode(data: bytes) -> _Decoded:
    if not is_current(data):
        raise OutdatedEncoding("Die gespeicherte Kodierung ist veraltet; bitte neu berechnen.")
    _, _, e5_dims, use_dims = _HEADER.unpack_from(data)
    offset = _HEADER.size
    e5 = np.frombuffer(data, dtype="<f2", count=e5_dims, offset=offset).astype(np.float32)
    offset += 2 * e5_dims
    use = np.frombuffer(data, dtype="<f2", count=use_dims, offset=offset).astype(np.float32)
    offset += 2 * use_dims
    sparse = json.loads(zlib.decompress(data[offset:]))
    return _Decoded(e5=e5, use=use, terms=sparse["t"], surface=sparse["s"], concepts=sparse["c"])


# --- ranking ---------------------------------------------------------------------------------

# Where cosines of unrelated and of equal texts lie for each model in this field: E5's cosines
# crowd into 0.75..0.95, USE's spread over 0.2..0.9. Rescaled, both read 0 for "unrelated"
# and 1 for "says the same".
_E5_RANGE = (0.78, 0.95)
_USE_RANGE = (0.25, 0.85)


def _rescale(
    values: npt.NDArray[np.float32], bounds: tuple[float, float]
) -> npt.NDArray[np.float32]:
    low, high = bounds
    return np.clip((values - low) / (high - low), 0.0, 1.0)


@dataclass
class _Postings:
    # array.array, not lists: 15,000 ideas hold about a million postings.
    rows: "array[int]" = field(default_factory=lambda: array("i"))
    weights: "array[float]" = field(default_factory=lambda: array("f"))

    def as_arrays(self) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
        return (
            np.frombuffer(self.rows, dtype=np.int32),
            np.frombuffer(self.weights, dtype=np.float32),
        )


class Corpus:
    """The ideas and projects of one alliance, ready to rank against one of them.

    Build it once per process from the stored encodings (`Corpus.build`) and `add` an idea when
    it is saved; `similar` ranks all of them with a few matrix products. Not thread-safe for
    writes: the caller adds and ranks under one lock (a read while a row is added may fail).
    """

    def __init__(self, weights: Weights | None = None) -> None:
        self.weights = weights or Weights()
        self.keys: list[Hashable] = []
        self.outdated: list[Hashable] = []  # keys whose bytes were outdated: encode them again
        self._row: dict[Hashable, int] = {}
        self._capacity = 0
        self._alive = np.zeros(0, dtype=bool)
        self._norms = np.ones(0, dtype=np.float32)
        self._e5 = np.zeros((0, 384), dtype=np.float32)
        self._use = np.zeros((0, 512), dtype=np.float32)
        self._concepts = np.zeros((0, len(_CONCEPT_KEYS)), dtype=np.float32)
        self._postings: dict[str, _Postings] = {}
        self._terms: list[dict[str, float]] = []
        self._digest: dict[int, int] = {}  # hash of the stored bytes -> row

    @classmethod
    def build(
        cls, items: Iterable[tuple[Hashable, bytes]], weights: Weights | None = None
    ) -> "Corpus":
        corpus = cls(weights)
        for key, data in items:
            try:
                corpus.add(key, data)
            except OutdatedEncoding:
                corpus.outdated.append(key)
        corpus.refresh_norms()
        return corpus

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._row

    def _grow(self, needed: int) -> None:
        if needed <= self._capacity:
            return
        capacity = max(needed, 2 * self._capacity, 64)
        for name in ("_e5", "_use", "_concepts"):
            old = getattr(self, name)
            new = np.zeros((capacity, old.shape[1]), dtype=np.float32)
            new[: old.shape[0]] = old
            setattr(self, name, new)
        norms = np.ones(capacity, dtype=np.float32)
        norms[: self._norms.shape[0]] = self._norms
        self._norms = norms
        alive = np.zeros(capacity, dtype=bool)
        alive[: self._alive.shape[0]] = self._alive
        self._alive = alive
        self._capacity = capacity

    def add(self, key: Hashable, data: bytes) -> None:
        """Add or replace one item (cheap: a newly saved idea is matchable at once)."""
        decoded = _decode(data)
        if key in self._row:
            self.remove(key)
        row = len(self.keys)
        self._grow(row + 1)
        self.keys.append(key)
        self._row[key] = row
        self._alive[row] = True
        self._e5[row, : decoded.e5.shape[0]] = decoded.e5
        self._use[row, : decoded.use.shape[0]] = decoded.use
        for concept, weight in decoded.concepts.items():
            column = _CONCEPT_COLUMN.get(concept)
            if column is not None:
                self._concepts[row, column] = weight
        terms = _log_tf(decoded.terms)
        for term, weight in terms.items():
            postings = self._postings.setdefault(term, _Postings())
            postings.rows.append(row)
            postings.weights.append(weight)
        self._terms.append(terms)
        self._norms[row] = self._norm(terms)
        self._digest[hash(data)] = row

    def remove(self, key: Hashable) -> None:
        """Forget an item (its row stays, zeroed and unreachable, until the next build)."""
        row = self._row.pop(key)
        self._digest = {digest: r for digest, r in self._digest.items() if r != row}
        self.keys[row] = _Removed()
        self._alive[row] = False
        self._e5[row] = 0.0
        self._use[row] = 0.0
        self._concepts[row] = 0.0
        for term in self._terms[row]:
            postings = self._postings[term]
            index = postings.rows.index(row)
            postings.rows.pop(index)
            postings.weights.pop(index)
        self._terms[row] = {}

    # --- scoring -----------------------------------------------------------------------------

    def _idf(self, term: str) -> float:
        postings = self._postings.get(term)
        df = len(postings.rows) if postings else 0
        return math.log((1 + len(self._row)) / (1 + df)) + 1.0

    def _lexical_scores(self, terms: dict[str, float], n: int) -> npt.NDArray[np.float32]:
        """Cosine of idf-weighted log term counts (doc norms from the idf of today)."""
        scores = np.zeros(n, dtype=np.float32)
        norms = self._norms[:n]
        query_norm = 0.0
        for term, weight in terms.items():
            idf = self._idf(term)
            query_norm += (weight * idf) ** 2
            postings = self._postings.get(term)
            if not postings or not postings.rows:
                continue
            rows, doc_weights = postings.as_arrays()
            scores[rows] += weight * idf * idf * doc_weights
        if query_norm == 0.0:
            return scores
        return scores / (math.sqrt(query_norm) * norms)

    def _norm(self, terms: dict[str, float]) -> float:
        total = sum((weight * self._idf(term)) ** 2 for term, weight in terms.items())
        return math.sqrt(total) if total > 0 else 1.0

    def refresh_norms(self) -> None:
        """Recompute every item's term norm with today's idf (a second at 15,000 items).

        `add` computes a new item's norm with the idf of its moment, and older norms drift a
        little as ideas come in; `build` ends with this, and a nightly rebuild keeps it exact.
        """
        for row, terms in enumerate(self._terms):
            self._norms[row] = self._norm(terms) if terms else 1.0

    def _facet_scores(
        self, query: npt.NDArray[np.float32], facet: _concepts.Facet, n: int
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
        """Overlap of one facet's concepts (0..1), and where both name some but share none."""
        mask = _FACET_MASK[facet]
        matrix = self._concepts[:n, mask]
        q = query[mask]
        if not q.any():
            return np.zeros(n, dtype=np.float32), np.zeros(n, dtype=bool)
        idf = self._concept_idf(mask, n)
        ones = np.ones(q.shape[0], dtype=np.float32)
        shared = (np.minimum(matrix, q) * idf) @ ones
        # Cosine-like, not Jaccard: an idea that names two groups still matches one that names
        # one of them in full.
        extent = np.sqrt(((matrix * idf) @ ones) * float(q @ idf))
        overlap = np.divide(shared, extent, out=np.zeros(n, dtype=np.float32), where=extent > 0)
        doc_has = matrix.max(axis=1) >= 1.0  # a concept in the doc's title or target group
        strong_q = q.max() >= 1.0
        mismatch = doc_has & strong_q & (shared == 0)
        return overlap.astype(np.float32), mismatch

    def _concept_idf(self, mask: npt.NDArray[np.bool_], n: int) -> npt.NDArray[np.float32]:
        df = (self._concepts[:n, mask] > 0).sum(axis=0)
        return np.log((1 + n) / (1 + df)).astype(np.float32) + 0.5

    def scores(self, data: bytes) -> npt.NDArray[np.float32]:
        """The fused score of every row against `data` (0..1); removed rows score -1."""
        query = _decode(data)
        n = len(self.keys)
        w = self.weights
        total = np.zeros(n, dtype=np.float32)
        if w.e5:
            total += w.e5 * _rescale(self._e5[:n] @ query.e5, _E5_RANGE)
        if w.use:
            total += w.use * _rescale(self._use[:n] @ query.use, _USE_RANGE)
        if w.lexical:
            total += w.lexical * self._lexical_scores(_log_tf(query.terms), n)
        concepts = np.zeros(len(_CONCEPT_KEYS), dtype=np.float32)
        for concept, weight in query.concepts.items():
            if concept in _CONCEPT_COLUMN:
                concepts[_CONCEPT_COLUMN[concept]] = weight
        for facet, weight, mismatch_weight in (
            ("gruppe", w.group, w.group_mismatch),
            ("ziel", w.aim, w.aim_mismatch),
            ("feld", w.field, 0.0),
        ):
            if not weight and not mismatch_weight:
                continue
            overlap, mismatch = self._facet_scores(concepts, facet, n)  # type: ignore[arg-type]
            total += weight * overlap - mismatch_weight * mismatch
        positive = w.e5 + w.use + w.lexical + w.group + w.aim + w.field
        fused = np.clip(total / max(positive, 1e-9), 0.0, 1.0)
        return np.where(self._alive[:n], fused, -1.0).astype(np.float32)

    def similar(
        self,
        data: bytes,
        k: int = 10,
        exclude: Hashable | Iterable[Hashable] | None = None,
        only: Iterable[Hashable] | None = None,
    ) -> list[Match]:
        """The `k` items closest to the encoded query, best first, with reasons in German.

        `only`, if given, limits the candidates to these keys (a reader who may see few items
        still gets the `k` best of those). `exclude` is a key or some keys never to return. Without `exclude`, a row stored with
        the very same bytes counts as the query itself and is left out; with it, only the keys
        named are (a second idea posted with the same words is the closest match there is).
        Raises OutdatedEncoding when `data` is of another version.
        """
        n = len(self.keys)
        if n == 0 or k <= 0:
            return []
        fused = self.scores(data)
        if only is not None:
            allowed = np.zeros(n, dtype=bool)
            rows = [row for row in (self._row.get(key) for key in only) if row is not None]
            allowed[rows] = True
            fused = np.where(allowed, fused, -1.0).astype(np.float32)
        excluded = _as_set(exclude)
        for key in excluded:
            row = self._row.get(key)
            if row is not None:
                fused[row] = -1.0
        itself = self._digest.get(hash(data)) if not excluded else None
        if itself is not None:
            fused[itself] = -1.0
        take = min(k + len(excluded), n)
        top = np.argpartition(-fused, take - 1)[:take]
        top = top[np.argsort(-fused[top], kind="stable")]
        query = _decode(data)
        matches: list[Match] = []
        for row in top:
            if fused[row] < 0:
                continue
            matches.append(
                Match(self.keys[row], round(float(fused[row]), 4), self._reasons(query, int(row)))
            )
            if len(matches) == k:
                break
        return matches

    # --- reasons -----------------------------------------------------------------------------

    def _reasons(self, query: _Decoded, row: int) -> list[str]:
        reasons: list[str] = []
        doc_concepts = {
            _CONCEPT_KEYS[i]: float(v) for i, v in enumerate(self._concepts[row]) if v > 0
        }
        for facet, prefix in (
            ("gruppe", "Gleiche Zielgruppe"),
            ("ziel", "Gleiches Ziel"),
            ("feld", "Gleiches Feld"),
        ):
            shared = sorted(
                (
                    key
                    for key in query.concepts
                    if key in doc_concepts and _concepts.BY_KEY[key].facet == facet
                ),
                key=lambda key: -min(query.concepts[key], doc_concepts[key]),
            )
            if shared:
                labels = ", ".join(_concepts.BY_KEY[key].label for key in shared[:2])
                reasons.append(f"{prefix}: {labels}")
        doc_terms = self._terms[row]
        shared_terms = sorted(
            (term for term in query.terms if term in doc_terms),
            key=lambda term: -min(query.terms[term], doc_terms[term]) * self._idf(term) ** 2,
        )
        words: list[str] = []
        for term in shared_terms:
            word = query.surface.get(term, term)
            if len(word) > 3 and word.lower() not in {w.lower() for w in words}:
                words.append(word)
            if len(words) == 4:
                break
        if words:
            reasons.insert(0, "Gemeinsame Begriffe: " + ", ".join(words))
        if not reasons:
            reasons.append("Inhaltlich ähnlich formuliert")
        return reasons


class _Removed:
    """The key of a removed row: equals nothing, so no query can exclude or find it."""


def _log_tf(terms: dict[str, float]) -> dict[str, float]:
    return {
        term: 1.0 + math.log(weight) if weight >= 1 else weight for term, weight in terms.items()
    }


def _as_set(exclude: Hashable | Iterable[Hashable] | None) -> set[Hashable]:
    if exclude is None:
        return set()
    if isinstance(exclude, (str, bytes, tuple, int)):
        return {exclude}
    if isinstance(exclude, Iterable):
        return set(exclude)
    return {exclude}
