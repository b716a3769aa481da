#!/usr/bin/env python3
"""How fast the idea similarity engine is at one alliance's size: 10,000 ideas, 5,000 projects.

Prints p50/p95 of `Corpus.similar()` over 15,000 items, the time to encode and add one newly
saved idea (until it is matchable), the time to build the corpus from stored bytes, and the
process's memory (RSS) with both models loaded and the corpus built.

The data set encodes its texts once, as the issue allows: BASE distinct German ideas are written
from the labelled pools' phrases and encoded with the real models; the 15,000 items are blends
of two of them (vectors averaged with noise, terms and concepts merged), which gives the
ranking the same work as real encodings (same dimensions, term and concept counts).

    python scripts/bench_similarity.py [--items 15000] [--base 400] [--queries 300]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from buendnis.ideas.similarity import (  # noqa: E402
    Corpus,
    Doc,
    _engine,  # noqa: E402
    encode,
    encode_many,
)

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def base_docs(count: int, rng: random.Random) -> list[Doc]:
    items = []
    for name in ("labelled", "heldout"):
        items += json.loads((DATA / f"ideas_{name}.json").read_text(encoding="utf-8"))["items"]
    sentences = [s.strip() + "." for item in items for s in item["text"].split(".") if s.strip()]
    return [
        Doc(
            title=rng.choice(items)["title"],
            text=" ".join(rng.sample(sentences, 3)),
            target_group=rng.choice(items)["target_group"],
        )
        for _ in range(count)
    ]


def blend(a: bytes, b: bytes, rng: np.random.Generator) -> bytes:
    first, second = _engine._decode(a), _engine._decode(b)

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        v = x + y + rng.normal(0, 0.02, x.shape).astype(np.float32)
        return (v / np.linalg.norm(v)).astype(np.float32)

    sparse = {
        "t": {**second.terms, **first.terms},
        "s": {**second.surface, **first.surface},
        "c": {**second.concepts, **first.concepts},
    }
    body = zlib.compress(json.dumps(sparse, ensure_ascii=False).encode())
    e5, use = mix(first.e5, second.e5), mix(first.use, second.use)
    header = _engine._HEADER.pack(_engine._MAGIC, _engine.ENCODING_VERSION, 384, 512)
    return header + e5.astype("<f2").tobytes() + use.astype("<f2").tobytes() + body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=15_000)
    parser.add_argument("--base", type=int, default=400)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(7)  # noqa: S311 (synthetic data, no secret)
    nprng = np.random.default_rng(7)
    print(f"RSS at start: {_rss_mb():.0f} MB")

    started = time.perf_counter()
    base = encode_many(base_docs(args.base, rng))
    per_doc = (time.perf_counter() - started) / args.base * 1000
    print(f"encoded {args.base} base ideas in bulk: {per_doc:.0f} ms per idea (models loaded)")
    print(f"RSS with both models loaded: {_rss_mb():.0f} MB")

    items = [(i, blend(rng.choice(base), rng.choice(base), nprng)) for i in range(args.items)]
    rss_before_corpus = _rss_mb()
    started = time.perf_counter()
    corpus = Corpus.build(items)
    corpus.similar(items[0][1], k=10)  # first query computes the document norms
    print(
        f"built the corpus of {len(corpus):,} from stored bytes in {time.perf_counter() - started:.1f} s"
    )
    print(
        f"RSS with the corpus: {_rss_mb():.0f} MB (corpus {_rss_mb() - rss_before_corpus:.0f} MB)"
    )

    times = []
    for _ in range(args.queries):
        key, data = rng.choice(items)
        started = time.perf_counter()
        corpus.similar(data, k=10, exclude=key)
        times.append((time.perf_counter() - started) * 1000)
    p50, p95 = np.percentile(times, [50, 95])
    print(f"similar() over {len(corpus):,} items, k=10: p50 {p50:.1f} ms, p95 {p95:.1f} ms")

    new = Doc(
        title="Langzeitarbeitslose über Patenschaften in Betriebe vermitteln",
        text=" ".join(base_docs(1, rng)[0].text for _ in range(4)),
        target_group="Menschen, die seit mehr als einem Jahr keine Arbeit haben",
    )
    encode_times, add_times = [], []
    for i in range(10):
        started = time.perf_counter()
        data = encode(new)
        encode_times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        corpus.add(f"new-{i}", data)
        corpus.similar(data, k=10)
        add_times.append((time.perf_counter() - started) * 1000)
    print(
        f"a newly saved idea ({len(new.text)} characters): encode {np.median(encode_times):.0f} ms, "
        f"add and first similar() {np.median(add_times):.0f} ms -> matchable after "
        f"{np.median(encode_times) + np.median(add_times):.0f} ms"
    )
    print(f"RSS at the end: {_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
