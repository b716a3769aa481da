"""Finding the ideas of an alliance's pool (the alliance's search; the two ways of asking, full
text on PostgreSQL and substrings elsewhere, are `core.search`'s).

Who sees which idea is the caller's to say: `visible` is `permissions.visible_ideas_q(user,
alliance)` (the whole pool for the internal circle and the ministry, an author's and their
organisation's own for the others). On PostgreSQL the ideas' text is read from the column
migration 0002 keeps (the title weighing most). One query, whatever the size of the pool.
"""

from __future__ import annotations

from django.db.models import Q

from buendnis.alliances.models import Alliance
from buendnis.core.search import (
    Found,
    Hit,
    Terms,
    excerpt_of,
    first,
    highlight,
    matching,
    ordered,
    score_of,
    stored_vector,
    text_of,
)

from .models import Idea

# What an idea hit shows and links to (the texts come as the excerpt).
IDEA_FIELDS = ("title", "status", "created_at", "alliance_id")
IDEA_TEXTS = ("aim", "target_group", "districts", "text")


def search_ideas(alliance: Alliance, terms: Terms, *, visible: Q, limit: int) -> Found[Idea]:
    """The alliance's ideas that `visible` admits and `terms` match (title, aim, target group,
    districts, description), best or newest first, whatever their state: at most `limit` and
    the count of all, in one query."""
    texts = text_of(*IDEA_TEXTS)
    found = matching(
        Idea.objects.filter(alliance=alliance).filter(visible).only(*IDEA_FIELDS),
        terms,
        document=text_of("title", texts),
        excerpt=texts,
        vector=stored_vector(),
    )
    rows, total = first(ordered(found, "created_at"), limit)
    hits = [
        Hit(
            row=idea,
            title=highlight(idea.title, terms.words, whole=True),
            excerpt=excerpt_of(idea, terms),
            when=idea.created_at,
            score=score_of(idea),
        )
        for idea in rows
    ]
    return Found(hits, total)
