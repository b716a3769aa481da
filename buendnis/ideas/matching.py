"""Similar ideas and projects, on top of the engine in `ideas.similarity`.

- Every idea is encoded when it is saved (`encode_idea`, in the service's transaction); projects
  are encoded by `encode_pending_projects` (the `ideas_encode` command, run periodically, and a
  few along an idea's save). Reading — a page, the API — never runs the models. The encodings live in
  the `Encoding` table, beside the data.
- Each process keeps one corpus per alliance in memory (`_corpus`): built from the table on first
  use, then brought up to date at every request with the rows encoded since (one indexed query,
  usually empty). So a newly saved idea is matchable by every worker at once, and no request
  encodes the whole alliance.
- The corpus only proposes candidates: the answer is read from the database, filtered to what
  the reader may see (withdrawn and merged ideas left out), so a deleted or hidden record never
  shows, whatever a worker's corpus still holds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from buendnis.accounts.permissions import UserLike
from buendnis.funding import permissions as funding_permissions
from buendnis.funding.models import Project

from . import permissions as idea_permissions
from . import similarity
from .models import ACTIVE_STATUSES, Encoding, Idea, IdeaLink, IdeaStatus, Overlap

# Projects encoded along an idea's save at most (the rest: `manage.py ideas_encode`).
PROJECTS_PER_REQUEST = 20
# Rows encoded this long before the last refresh are looked at again (their keys and times): a
# transaction that stamped its row earlier may commit later.
REFRESH_OVERLAP = timedelta(seconds=30)
# The encoder's version as stored with each encoding.
VERSION = str(similarity.ENCODING_VERSION)
# Ideas that are history: never proposed.
NOT_PROPOSED = (IdeaStatus.WITHDRAWN, IdeaStatus.MERGED)


def idea_doc(idea: Idea) -> similarity.Doc:
    return similarity.Doc(
        title=idea.title,
        text=idea.text,
        aim=idea.aim,
        target_group=idea.target_group,
        topics=[topic.title for topic in idea.topics.all()] if idea.pk else (),
    )


def project_doc(project: Project) -> similarity.Doc:
    return similarity.Doc(
        title=project.title,
        text=project.summary,
        aim=project.goals,
        target_group=project.target_group,
    )


def encode_idea(idea: Idea) -> Encoding:
    """Encode the idea as saved now. Precondition: inside the saving transaction."""
    encoding, _created = Encoding.objects.update_or_create(
        idea=idea,
        defaults={
            "alliance_id": idea.alliance_id,
            "version": VERSION,
            "data": similarity.encode(idea_doc(idea)),
            "source_updated_at": idea.updated_at,
        },
    )
    return encoding


def _pending(queryset: Any, relation: str, alliance_id: int | None) -> list[int]:
    """The ids of `queryset` (ideas or projects) without an up-to-date encoding: none yet,
    changed since, or made by an older encoder. `relation`: the reverse name of `Encoding`."""
    if alliance_id is not None:
        queryset = queryset.filter(alliance_id=alliance_id)
    stale = (
        Q(**{f"{relation}__isnull": True})
        | Q(updated_at__gt=F(f"{relation}__source_updated_at"))
        | ~Q(**{f"{relation}__version": VERSION})
    )
    return list(queryset.filter(stale).order_by("id").values_list("id", flat=True))


def pending_ideas(alliance_id: int | None = None) -> list[int]:
    """Ideas without an up-to-date encoding (normally none: saving encodes)."""
    return _pending(Idea.objects.all(), "encoding", alliance_id)


def pending_projects(alliance_id: int | None = None) -> list[int]:
    """Projects without an up-to-date encoding."""
    return _pending(Project.objects.all(), "idea_encoding", alliance_id)


def _encode_in_batches(
    queryset: Any, ids: list[int], doc_of: Callable[[Any], similarity.Doc], owner: str
) -> int:
    """Encode the rows of `queryset` with these ids, 64 at a time (the encoder is much faster on
    many texts at once), and store each encoding (`owner`: "idea" or "project")."""
    done = 0
    for start in range(0, len(ids), 64):
        batch = list(queryset.filter(pk__in=ids[start : start + 64]))
        for row, data in zip(
            batch, similarity.encode_many([doc_of(row) for row in batch]), strict=True
        ):
            Encoding.objects.update_or_create(
                **{owner: row},
                defaults={
                    "alliance_id": row.alliance_id,
                    "version": VERSION,
                    "data": data,
                    "source_updated_at": row.updated_at,
                },
            )
            done += 1
    return done


def encode_ideas(idea_ids: list[int]) -> int:
    """Encode these ideas (their topics fetched with them)."""
    return _encode_in_batches(Idea.objects.prefetch_related("topics"), idea_ids, idea_doc, "idea")


def encode_projects(project_ids: list[int]) -> int:
    """Encode these projects."""
    fields = ("alliance_id", "title", "summary", "goals", "target_group", "updated_at")
    return _encode_in_batches(Project.objects.only(*fields), project_ids, project_doc, "project")


def encode_pending_projects(alliance_id: int | None = None, *, limit: int | None = None) -> int:
    pending = pending_projects(alliance_id)
    return encode_projects(pending if limit is None else pending[:limit])


# An idea's save looks for changed projects of its alliance at most this often per process.
PENDING_CHECK_SECONDS = 60.0
_pending_checked: dict[int, float] = {}


def _encode_some_pending(alliance_id: int) -> None:
    now = time.monotonic()
    if now - _pending_checked.get(alliance_id, -PENDING_CHECK_SECONDS) < PENDING_CHECK_SECONDS:
        return
    _pending_checked[alliance_id] = now
    encode_pending_projects(alliance_id, limit=PROJECTS_PER_REQUEST)


# --- The corpus per alliance and process ----------------------------------------------------------


@dataclass
class _Cached:
    corpus: similarity.Corpus
    # When the table was last read (the clock of this process): the next refresh reads what was
    # encoded since then, less REFRESH_OVERLAP.
    checked_at: datetime
    # When each item's encoding was made, as the corpus holds it: a row read again in the
    # overlap window is added again only if it changed since.
    stamps: dict[str, datetime] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


_corpora: dict[int, _Cached] = {}
_corpora_lock = threading.Lock()


def _key(idea_id: int | None, project_id: int | None) -> str:
    return f"idea:{idea_id}" if idea_id is not None else f"project:{project_id}"


def _encodings(alliance_id: int) -> Any:
    return Encoding.objects.filter(alliance_id=alliance_id, version=VERSION)


def _build(alliance_id: int) -> _Cached:
    started = timezone.now()
    stamps: dict[str, datetime] = {}

    def items() -> Any:
        rows = _encodings(alliance_id).values_list("idea_id", "project_id", "data", "encoded_at")
        for idea_id, project_id, data, encoded_at in rows.iterator(chunk_size=2000):
            key = _key(idea_id, project_id)
            stamps[key] = encoded_at
            yield key, bytes(data)

    corpus = similarity.Corpus.build(items())
    return _Cached(corpus=corpus, checked_at=started, stamps=stamps)


def _refresh(alliance_id: int, cached: _Cached) -> None:
    """Add what was encoded since the last look: first the keys and times of the window (small),
    then the bytes of the changed ones only."""
    started = timezone.now()
    recent = _encodings(alliance_id).filter(encoded_at__gt=cached.checked_at - REFRESH_OVERLAP)
    changed = {
        _key(idea_id, project_id): encoded_at
        for idea_id, project_id, encoded_at in recent.values_list(
            "idea_id", "project_id", "encoded_at"
        )
        if cached.stamps.get(_key(idea_id, project_id)) != encoded_at
    }
    cached.checked_at = started
    if not changed:
        return
    idea_ids = [int(key[5:]) for key in changed if key.startswith("idea:")]
    project_ids = [int(key[8:]) for key in changed if key.startswith("project:")]
    rows = _encodings(alliance_id).filter(Q(idea_id__in=idea_ids) | Q(project_id__in=project_ids))
    for idea_id, project_id, data, encoded_at in rows.values_list(
        "idea_id", "project_id", "data", "encoded_at"
    ):
        key = _key(idea_id, project_id)
        cached.corpus.add(key, bytes(data))
        cached.stamps[key] = encoded_at


def _cached(alliance_id: int) -> _Cached:
    """The alliance's corpus in this process, up to date with the table, with its lock: the
    corpus is not safe to read while another thread adds to it (threaded workers), so callers
    rank under the lock."""
    with _corpora_lock:
        cached = _corpora.get(alliance_id)
    if cached is None:
        cached = _build(alliance_id)
        with _corpora_lock:
            cached = _corpora.setdefault(alliance_id, cached)
        return cached
    with cached.lock:
        _refresh(alliance_id, cached)
    return cached


def _corpus(alliance_id: int) -> similarity.Corpus:
    return _cached(alliance_id).corpus


def is_matchable(idea: Idea) -> bool:
    """Whether this process's corpus of the idea's alliance holds the idea (as stored now)."""
    return _key(idea.pk, None) in _corpus(idea.alliance_id)


def forget_corpora() -> None:
    """Drop every cached corpus (tests, and after `ideas_encode --all`)."""
    with _corpora_lock:
        _corpora.clear()
    _pending_checked.clear()


# --- Similar items for a reader -------------------------------------------------------------------


@dataclass(frozen=True)
class Similar:
    kind: str  # "idea" or "project"
    id: int
    title: str
    score: float
    reasons: list[str]
    status: str
    status_label: str
    reference: str = ""
    organisation: str = ""


def similar_to_idea(user: UserLike, idea: Idea, *, limit: int = 10) -> list[Similar]:
    """The ideas and projects of the idea's alliance most similar to it, best first, that `user`
    may see; never the idea itself, never withdrawn or merged ideas."""
    return _proposals(idea, user, limit=limit)


def _proposals(idea: Idea, reader: UserLike | None, *, limit: int) -> list[Similar]:
    """The best `limit` proposals for the idea: for `reader`, what they may see; for None (the
    platform itself, finding overlaps for the office) everything of the alliance."""
    encoding = Encoding.objects.filter(idea=idea, version=VERSION).first()
    query = bytes(encoding.data) if encoding is not None else similarity.encode(idea_doc(idea))
    cached = _cached(idea.alliance_id)
    # A reader outside the pool (an applicant) may see few items: rank among those only, so
    # that they too get the best `limit` of what they may see.
    only = None if reader is None else _seen_keys(reader, idea)
    with cached.lock:
        # More candidates than asked: some may no longer be proposed (withdrawn, merged).
        matches = cached.corpus.similar(
            query, k=limit * 3 + 10, exclude=_key(idea.pk, None), only=only
        )
    keyed = [(str(match.key).partition(":"), match) for match in matches]
    idea_ids = [int(number) for (kind, _sep, number), _m in keyed if kind == "idea"]
    project_ids = [int(number) for (kind, _sep, number), _m in keyed if kind == "project"]
    other_ideas = (
        Idea.objects.filter(alliance_id=idea.alliance_id, pk__in=idea_ids)
        .exclude(status__in=NOT_PROPOSED)
        .exclude(pk=idea.pk)
        .select_related("organisation")
        .only("title", "status", "organisation__name")
    )
    projects = (
        Project.objects.filter(alliance_id=idea.alliance_id, pk__in=project_ids)
        .select_related("applicant_organisation")
        .only("title", "reference", "status", "applicant_organisation__name")
    )
    if reader is not None:
        other_ideas = other_ideas.filter(idea_permissions.visible_ideas_q(reader, idea.alliance))
        projects = projects.filter(
            funding_permissions.project_access(reader, idea.alliance).visible()
        )
    ideas_by_id = {other.pk: other for other in other_ideas}
    projects_by_id = {project.pk: project for project in projects}
    found: list[Similar] = []
    for (kind, _sep, number), match in keyed:
        pk = int(number)
        if kind == "idea" and pk in ideas_by_id:
            other = ideas_by_id[pk]
            found.append(
                Similar(
                    kind="idea",
                    id=pk,
                    title=other.title,
                    score=round(float(match.score), 3),
                    reasons=list(match.reasons),
                    status=other.status,
                    status_label=other.get_status_display(),
                    organisation=other.organisation.name if other.organisation else "",
                )
            )
        elif kind == "project" and pk in projects_by_id:
            project = projects_by_id[pk]
            found.append(
                Similar(
                    kind="project",
                    id=pk,
                    title=project.title,
                    score=round(float(match.score), 3),
                    reasons=list(match.reasons),
                    status=project.status,
                    status_label=project.get_status_display(),
                    reference=project.reference,
                    organisation=project.applicant_organisation.name,
                )
            )
        if len(found) == limit:
            break
    return found


def _seen_keys(reader: UserLike, idea: Idea) -> set[str] | None:
    """The corpus keys this reader may see, or None for the pool's readers (every idea; every
    project, since the internal circle sees all projects)."""
    alliance = idea.alliance
    if idea_permissions.can_view_pool(reader, alliance):
        return None
    ideas = Idea.objects.filter(alliance=alliance).filter(
        idea_permissions.visible_ideas_q(reader, alliance)
    )
    projects = Project.objects.filter(alliance=alliance).filter(
        funding_permissions.project_access(reader, alliance).visible()
    )
    return {_key(pk, None) for pk in ideas.values_list("pk", flat=True)} | {
        _key(None, pk) for pk in projects.values_list("pk", flat=True)
    }


# --- Overlaps for the office's desk ---------------------------------------------------------------

# A hint on the desk from this fused score on (0–1). On the labelled set (tests/data) 95 % of the
# true overlaps among each idea's five best score at least this, and a quarter of the others: a
# hint costs the office a glance, a missed overlap a duplicated project.
OVERLAP_MIN_SCORE = 0.45
OVERLAPS_PER_IDEA = 3


def overlaps_on_commit(idea_id: int) -> None:
    # Robust: the idea is saved whatever happens here, and later callbacks (its notification)
    # still run.
    transaction.on_commit(lambda: overlaps_refresh(idea_id), robust=True)


def overlaps_refresh(idea_id: int) -> list[Overlap]:
    """After an idea was saved: note its closest ideas and projects as hints for the office (at
    most OVERLAPS_PER_IDEA, score ≥ OVERLAP_MIN_SCORE, not yet linked). Hints the office has
    settled stay settled; open hints that no longer hold go."""
    idea = Idea.objects.select_related("alliance").filter(pk=idea_id).first()
    if idea is None:
        return []
    # Saving an idea (a write, which encodes anyway) also encodes a few changed projects, so that
    # its hints see them; reading never runs the models (`manage.py ideas_encode` does the rest).
    _encode_some_pending(idea.alliance_id)
    chosen: list[Similar] = []
    if idea.status in ACTIVE_STATUSES:
        # Linked already, or noted the other way round (B ~ A when A ~ B was found): no hint.
        linked = _linked_keys(idea) | {
            ("idea", source_id)
            for source_id in Overlap.objects.filter(other_idea=idea).values_list(
                "idea_id", flat=True
            )
        }
        chosen = [
            item
            for item in _proposals(idea, None, limit=OVERLAPS_PER_IDEA + len(linked))
            if item.score >= OVERLAP_MIN_SCORE and (item.kind, item.id) not in linked
        ][:OVERLAPS_PER_IDEA]
    kept: list[Overlap] = []
    with transaction.atomic():
        for item in chosen:
            target: dict[str, Any] = (
                {"other_idea_id": item.id} if item.kind == "idea" else {"project_id": item.id}
            )
            overlap, _created = Overlap.objects.update_or_create(
                idea=idea,
                **target,
                defaults={
                    "alliance_id": idea.alliance_id,
                    "score": item.score,
                    "reasons": item.reasons,
                },
            )
            kept.append(overlap)
        Overlap.objects.filter(idea=idea, settled_at__isnull=True).exclude(
            pk__in=[overlap.pk for overlap in kept]
        ).delete()
    return kept


def _linked_keys(idea: Idea) -> set[tuple[str, int]]:
    keys: set[tuple[str, int]] = set()
    for other_id, project_id in IdeaLink.objects.filter(idea=idea).values_list(
        "other_idea_id", "project_id"
    ):
        keys.add(("idea", other_id) if other_id else ("project", project_id))
    for source_id in IdeaLink.objects.filter(other_idea=idea).values_list("idea_id", flat=True):
        keys.add(("idea", source_id))
    return keys
