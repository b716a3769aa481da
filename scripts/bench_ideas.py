"""Ideas for `make bench`: an alliance's idea pool with the encodings kept beside the data.

Encoding 15,000 texts with the real models would take the benchmark half an hour, so the data
set encodes its texts once, as the issue allows: `base` distinct ideas are encoded with the real
models (`scripts/bench_similarity.base_docs`), and each idea and project of the alliance gets a
blend of two of them (`blend`: vectors averaged with noise, terms and concepts merged) — the
same work for the ranking as real encodings. Rows are written in bulk (no audit: bench data).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import numpy as np
from django.db import transaction

from buendnis.alliances.models import Alliance
from buendnis.funding.models import Project
from buendnis.ideas import matching, similarity
from buendnis.ideas.models import Encoding, Idea, IdeaStatus
from scripts.bench_similarity import base_docs, blend

BATCH = 2000


def generate_ideas(
    alliance: Alliance,
    *,
    ideas: int,
    base: int = 300,
    seed: int = 2026,
    log: Callable[[str], None] | None = None,
) -> dict[str, float]:
    """`ideas` ideas for the alliance, and an encoding for each of them and of each of its
    projects. Returns the counts and the seconds the base encoding took."""
    rng = random.Random(seed)  # noqa: S311 (reproducible data, not security)
    nprng = np.random.default_rng(seed)
    began = time.perf_counter()
    docs = base_docs(base, rng)
    encoded = similarity.encode_many(docs)
    encode_seconds = time.perf_counter() - began
    statuses = [IdeaStatus.OPEN] * 6 + [IdeaStatus.IN_TALKS] * 2 + [IdeaStatus.WITHDRAWN]
    with transaction.atomic():
        for start in range(0, ideas, BATCH):
            rows = []
            for number in range(start, min(ideas, start + BATCH)):
                doc = docs[number % base]
                rows.append(
                    Idea(
                        alliance=alliance,
                        title=f"{doc.title} ({number + 1})"[:200],
                        text=doc.text,
                        target_group=doc.target_group[:500],
                        status=rng.choice(statuses),
                        contact_name="Bench",
                        contact_email=f"idee{number}@example.org",
                    )
                )
            created = Idea.objects.bulk_create(rows)
            Encoding.objects.bulk_create(
                Encoding(
                    alliance=alliance,
                    idea=idea,
                    version=matching.VERSION,
                    data=blend(rng.choice(encoded), rng.choice(encoded), nprng),
                    source_updated_at=idea.updated_at,
                )
                for idea in created
            )
        projects = list(Project.objects.filter(alliance=alliance).values_list("pk", "updated_at"))
        for start in range(0, len(projects), BATCH):
            Encoding.objects.bulk_create(
                Encoding(
                    alliance=alliance,
                    project_id=pk,
                    version=matching.VERSION,
                    data=blend(rng.choice(encoded), rng.choice(encoded), nprng),
                    source_updated_at=updated_at,
                )
                for pk, updated_at in projects[start : start + BATCH]
            )
    if log:
        log(
            f"  {alliance.slug}: {ideas} Ideen, {len(projects)} Vorhaben kodiert "
            f"({base} echte Kodierungen in {encode_seconds:.0f} s, {time.perf_counter() - began:.0f} s)"
        )
    return {"ideas": ideas, "projects": len(projects), "base_encode_seconds": encode_seconds}


def matchable_after(alliance: Alliance, actor: object) -> float:
    """Seconds from saving a new idea (encoded with the real models, loaded by now) until this
    process's corpus holds it and its own similar ideas are answered."""
    from buendnis.ideas import services

    probe = Idea.objects.filter(alliance=alliance).order_by("pk").first()
    assert probe is not None  # noqa: S101 (generate_ideas ran before)
    matching.similar_to_idea(actor, probe)  # the corpus is built before the clock starts
    began = time.perf_counter()
    saved = services.idea_create(
        actor=None,
        alliance=alliance,
        title=f"Neu: {probe.title}"[:200],
        text=probe.text,
        target_group=probe.target_group,
    )
    matching.similar_to_idea(actor, saved)
    seconds = time.perf_counter() - began
    return round(seconds, 2) if matching.is_matchable(saved) else -1.0
