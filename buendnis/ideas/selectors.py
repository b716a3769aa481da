"""Reading the idea pool: the lists (bounded, filtered to what the reader may see), one idea with
what its page shows, and the public "Partner gesucht" entries."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from buendnis.accounts.permissions import UserLike
from buendnis.alliances.models import Alliance

from . import permissions as idea_permissions
from .models import ACTIVE_STATUSES, Idea, IdeaLink, IdeaStatus, Overlap


def idea_list(
    user: UserLike,
    alliance: Alliance,
    *,
    status: str = "",
    action_field_id: int | None = None,
    text: str = "",
    mine: bool = False,
) -> QuerySet[Idea]:
    """The ideas the user may see, newest first, with what a list row shows; pages read it
    bounded (`core.paging.page_of`)."""
    ideas = (
        Idea.objects.filter(alliance=alliance)
        .filter(idea_permissions.visible_ideas_q(user, alliance))
        .select_related("organisation", "action_field")
        .order_by("-created_at", "-id")
    )
    if status:
        ideas = ideas.filter(status=status)
    if action_field_id:
        ideas = ideas.filter(action_field_id=action_field_id)
    if text:
        ideas = ideas.filter(
            Q(title__icontains=text)
            | Q(text__icontains=text)
            | Q(target_group__icontains=text)
            | Q(districts__icontains=text)
        )
    if mine and user.pk is not None:
        co_authored = Idea.co_authors.through.objects.filter(user_id=user.pk).values("idea_id")
        ideas = ideas.filter(Q(author_id=user.pk) | Q(pk__in=co_authored))
    return ideas


def get_idea_for_user(user: UserLike, alliance: Alliance, idea_id: int) -> Idea | None:
    """One idea of the alliance with everything its page shows, or None if the user may not see it
    (the caller answers 404 — an idea's existence is internal too)."""
    idea = (
        Idea.objects.filter(alliance=alliance, pk=idea_id)
        .select_related(
            "alliance", "organisation", "action_field", "author", "merged_into", "project"
        )
        .prefetch_related(
            "topics",
            "co_authors",
            Prefetch(
                "links",
                queryset=IdeaLink.objects.select_related("other_idea", "project", "created_by"),
            ),
            Prefetch(
                "linked_from",
                queryset=IdeaLink.objects.select_related("idea", "created_by"),
            ),
            Prefetch("merged_ideas", queryset=Idea.objects.order_by("title")),
        )
        .first()
    )
    if idea is None or not idea_permissions.can_view_idea(user, idea):
        return None
    return idea


def status_counts(user: UserLike, alliance: Alliance) -> dict[str, int]:
    """How many visible ideas are in each state (one GROUP BY query)."""
    rows = (
        Idea.objects.filter(alliance=alliance)
        .filter(idea_permissions.visible_ideas_q(user, alliance))
        .order_by()
        .values("status")
        .annotate(number=Count("id"))
    )
    counts = {status: 0 for status in IdeaStatus.values}
    counts.update({row["status"]: row["number"] for row in rows})
    return counts


def wanted_entries(alliance: Alliance) -> QuerySet[Idea]:
    """The public "Partner gesucht" entries: active ideas whose authors asked for it. Only the
    public fields are read (title, the short public text, field of action, districts): the
    description and the contact stay internal."""
    return (
        Idea.objects.filter(alliance=alliance, wanted_public=True, status__in=ACTIVE_STATUSES)
        .select_related("action_field")
        .only(
            "title",
            "wanted_text",
            "districts",
            "created_at",
            "updated_at",
            "action_field__title",
        )
        .order_by("-created_at", "-id")
    )


def open_overlaps(alliance: Alliance, *, limit: int) -> tuple[list[Overlap], int]:
    """The office's open hints of similar ideas and projects, oldest first: at most `limit`, and
    how many there are (two queries, whatever the data)."""
    hints = Overlap.objects.filter(
        alliance=alliance, settled_at__isnull=True, idea__status__in=ACTIVE_STATUSES
    ).filter(Q(other_idea__isnull=True) | Q(other_idea__status__in=ACTIVE_STATUSES))
    shown = list(
        hints.select_related("idea", "other_idea", "project").order_by("found_at", "id")[:limit]
    )
    return shown, hints.count()
