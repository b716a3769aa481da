"""Finding the inquiries of an alliance's inbox (the alliance's search; the two ways of asking,
full text on PostgreSQL and substrings elsewhere, are `core.search`'s).

The inbox is the office's and the ministry's (`permissions.can_view_inquiries`); the caller asks
before it searches. Erased inquiries are never found: their subject and thread are blanked, and
a search must not tell what they once said. On PostgreSQL subjects and messages are read from
the columns migration 0004 keeps.
"""

from __future__ import annotations

from django.db.models import F, FloatField, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce

from buendnis.alliances.models import Alliance
from buendnis.core.search import (
    SEPARATOR,
    Found,
    Hit,
    Joined,
    Terms,
    excerpt_of,
    first,
    full_text,
    german_query,
    headline,
    highlight,
    matching,
    ordered,
    rank,
    score_of,
    stored_vector,
    text_of,
)

from .models import Inquiry, InquiryMessage


def search_inquiries(alliance: Alliance, terms: Terms, *, limit: int) -> Found[Inquiry]:
    """The alliance's inquiries, erased ones left out, that `terms` match by subject or by the
    text of a message of their thread (the office's notes are not searched), best or newest
    first: at most `limit` and the count of all, in one query. The excerpt comes from the
    best-matching message (the first one when only the subject matched)."""
    inquiries = Inquiry.objects.filter(alliance=alliance, erased_at__isnull=True)
    if full_text():
        found = _full_text(inquiries, terms)
    else:
        bodies = (
            InquiryMessage.objects.filter(inquiry=OuterRef("pk"))
            .order_by()
            .values("inquiry_id")
            .annotate(text=Joined("body", Value(SEPARATOR)))
            .values("text")
        )
        thread = Coalesce(Subquery(bodies), Value(""), output_field=TextField())
        found = matching(inquiries, terms, document=text_of("subject", thread), excerpt=thread)
    rows, total = first(ordered(found, "created_at"), limit)
    hits = [
        Hit(
            row=inquiry,
            title=highlight(inquiry.subject, terms.words, whole=True),
            excerpt=excerpt_of(inquiry, terms),
            when=inquiry.created_at,
            score=score_of(inquiry),
        )
        for inquiry in rows
    ]
    return Found(hits, total)


def _full_text(inquiries: QuerySet[Inquiry], terms: Terms) -> QuerySet[Inquiry]:
    """PostgreSQL: the subject's text or a message found through the messages' index (an
    uncorrelated IN, which the database answers once from the index)."""
    query = german_query(terms)
    found_messages = (
        InquiryMessage.objects.alias(search_vector=stored_vector())
        .filter(search_vector=query)
        .values("inquiry_id")
    )
    # The thread's best-matching message, for the rank and the excerpt of an inquiry found.
    best = (
        InquiryMessage.objects.filter(inquiry=OuterRef("pk"))
        .alias(search_vector=stored_vector())
        .annotate(message_rank=rank(F("search_vector"), query))
        .order_by("-message_rank", "sent_at", "id")
    )
    message_rank = Subquery(best.values("message_rank")[:1], output_field=FloatField())
    excerpt = Subquery(
        best.annotate(text=headline("body", query)).values("text")[:1], output_field=TextField()
    )
    return (
        inquiries.alias(subject_vector=stored_vector())
        .filter(Q(subject_vector=query) | Q(pk__in=found_messages))
        .annotate(
            search_rank=rank(F("subject_vector"), query) + Coalesce(message_rank, Value(0.0)),
            search_excerpt=excerpt,
        )
    )
