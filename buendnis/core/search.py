"""Searching an alliance's records: the query as typed, and the two ways a database answers it.

PostgreSQL: German full text. A record's text becomes `to_tsvector('german', …)`, the query
`websearch_to_tsquery('german', …)` (quotes for phrases, `-` to exclude, `or`), so "Ausbildung"
finds "Ausbildungen"; matches are ranked (`ts_rank`) and the database cuts an excerpt around them
(`ts_headline`). Other databases (SQLite in development and in half of the tests): every word of
the query must occur in the record's searched text (`icontains`; SQLite folds the case of ASCII
letters only, so "ärzte" misses "Ärzte"), newest first, and the excerpt is cut here. Which way
is decided per query (`full_text`), so one process serves either database; each domain's
`search.py` describes a record once (`matching`: its text, its excerpt, an indexed vector) and
both ways follow from that.

Every excerpt and title leaves as escaped HTML in which only the matches are marked (`<mark>`):
the database marks its matches with two control characters, the text around them is escaped,
and only then do the characters become the tags.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from typing import Any

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    Expression,
    F,
    Func,
    Model,
    Q,
    QuerySet,
    StringAgg,
    TextField,
    Value,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Concat
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .db import SEARCH_COLUMN
from .paging import page_of

# Shorter input asks nothing of the database: one letter matches almost everything.
MIN_LENGTH = 2
# Longer input is cut: nobody types more, and the database need not parse a pasted page.
MAX_LENGTH = 200
GERMAN = "german"
# What ts_headline puts around a match; they become <mark> and </mark> after escaping.
START, STOP = "\x02", "\x03"
# A fallback excerpt: about this many characters around the first match.
EXCERPT_CHARS = 220
# Between the fields of a record's text (`text_of`).
SEPARATOR = " · "

type When = datetime | date | None
# A field's name or an expression.
type Text = str | Combinable


@dataclass(frozen=True)
class Terms:
    """A query worth asking: the text as typed (whitespace folded, at most MAX_LENGTH) for the
    full-text search, and its words for the fallback (quotes, exclusions and `or` dropped)."""

    text: str
    words: tuple[str, ...]


def terms_of(raw: str | None) -> Terms | None:
    """The query in `raw`, or None when it is empty or shorter than MIN_LENGTH characters (or
    holds no word at all)."""
    text = " ".join((raw or "").split())[:MAX_LENGTH].strip()
    if len(text) < MIN_LENGTH:
        return None
    words: list[str] = []
    for token in text.split(" "):
        # `-wort` excludes in the full-text syntax and `or` joins alternatives: the fallback
        # cannot do either, and must not demand them as words.
        if token.startswith("-") or token.lower() == "or":
            continue
        word = token.strip("\"'„“”+")
        if word and word.lower() not in (known.lower() for known in words):
            words.append(word)
    if not words:
        return None
    return Terms(text=text, words=tuple(words))


def full_text() -> bool:
    """PostgreSQL answers with its German full-text search; everything else with substrings."""
    return connection.vendor == "postgresql"


# --- PostgreSQL -------------------------------------------------------------------------------


def german_vector(*expressions: Text, weight: str | None = None) -> SearchVector:
    """The German text of `expressions` (fields or expressions, NULL read as empty), parsed
    for every row the query looks at: for the small tables (meetings, decisions, papers)."""
    return SearchVector(*expressions, config=GERMAN, weight=weight)


class StoredVector(Expression):
    """The German text PostgreSQL keeps in a column of the row's own table (`core.db.
    search_vector_column`, for the large tables: projects, inquiries and their messages). The
    model does not declare the column, so the table's alias in this very query is asked when
    the SQL is made (in a subquery it is not the outer one's)."""

    output_field = SearchVectorField()

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[str | int, ...]]:
        table = compiler.quote_name(next(iter(compiler.query.alias_map)))
        return f"{table}.{connection.ops.quote_name(SEARCH_COLUMN)}", ()


def stored_vector() -> StoredVector:
    return StoredVector()


def german_query(terms: Terms) -> SearchQuery:
    return SearchQuery(terms.text, config=GERMAN, search_type="websearch")


def rank(vector: Any, query: SearchQuery) -> SearchRank:
    return SearchRank(vector, query)


def headline(expression: Text, query: SearchQuery) -> SearchHeadline:
    """An excerpt of `expression` of up to two fragments around the matches (the first words
    when nothing in it matches), the matches between START and STOP. PostgreSQL computes it
    only for the rows a page shows, after sorting and LIMIT (it is an expensive expression)."""
    return SearchHeadline(
        expression,
        query,
        config=GERMAN,
        start_sel=START,
        stop_sel=STOP,
        max_words=28,
        min_words=12,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


def file_words(field: str) -> Concat:
    """A file field's own name, folders dropped, once as it is (the parser reads `bericht.pdf`
    as one word, which is what a query for it becomes) and once as words, `-`, `_` and `.` read
    as spaces (`jahres-bericht.pdf` → `jahres bericht pdf`)."""
    text = TextField()
    name = Func(F(field), Value("^.*/"), Value(""), function="regexp_replace", output_field=text)
    words = Func(
        name, Value("[-_.]+"), Value(" "), Value("g"), function="regexp_replace", output_field=text
    )
    return Concat(name, Value(" "), words, output_field=text)


_MARKED = re.compile(f"{START}(.*?){STOP}", re.DOTALL)


def tidy(text: str | None) -> str:
    """Whitespace folded, and no empty part between the separators of `text_of` (a record
    without minutes, say)."""
    parts = (" ".join(part.split()) for part in (text or "").split(SEPARATOR.strip()))
    return SEPARATOR.join(part for part in parts if part)


def marked(text: str | None) -> SafeString:
    """A headline as HTML: everything escaped, the matches in <mark>. Stray markers (a text that
    held one) are dropped, so the tags always pair."""
    escaped = escape(tidy(text))
    paired = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return mark_safe(paired.replace(START, "").replace(STOP, ""))  # noqa: S308 (escaped above)


# --- Every other database -----------------------------------------------------------------------


def every_word(words: Iterable[str], fields: Sequence[str]) -> Q:
    """Each word is a case-insensitive substring of at least one of `fields`."""
    condition = Q()
    for word in words:
        condition &= reduce(operator.or_, (Q(**{f"{name}__icontains": word}) for name in fields))
    return condition


def _pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted({word for word in words if word}, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile("|".join(re.escape(word) for word in ordered), re.IGNORECASE)


def highlight(text: str | None, words: Iterable[str], *, whole: bool = False) -> SafeString:
    """`text` as HTML with every occurrence of the words marked (case ignored), everything else
    escaped. Unless `whole`, only about EXCERPT_CHARS characters around the first occurrence
    (the beginning when there is none), cut at spaces, with … where text was left out."""
    text = tidy(text)
    pattern = _pattern(words)
    if not whole and len(text) > EXCERPT_CHARS:
        first = pattern.search(text) if pattern else None
        at, after = (first.start(), first.end()) if first else (0, 0)
        start = max(0, at - EXCERPT_CHARS // 3)
        if start:
            # Begin with a whole word (but never after the match).
            space = text.find(" ", start, at)
            start = space + 1 if space != -1 else start
        end = start + EXCERPT_CHARS
        if end < len(text):
            # End with a whole word (but never inside the match).
            space = text.rfind(" ", after, end)
            end = space if space != -1 else end
        text = ("… " if start else "") + text[start:end] + (" …" if end < len(text) else "")
    if pattern is None:
        return escape(text)
    parts: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 (every part escaped)


class Joined(StringAgg):
    """The texts of related rows as one (`STRING_AGG`), for a record's searched text; SQLite
    before 3.44 knows the same as GROUP_CONCAT. In no particular order."""

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


# --- Both ---------------------------------------------------------------------------------------


def text_of(*parts: Text) -> Concat:
    """Fields and expressions as one text, ` · ` between them (NULL read as empty)."""
    joined: list[Text] = []
    for part in parts:
        joined += [part, Value(SEPARATOR)]
    return Concat(*joined[:-1] if len(parts) > 1 else joined, output_field=TextField())


def matching(
    found: QuerySet[Any],
    terms: Terms,
    *,
    document: Text,
    excerpt: Text | None,
    vector: Any = None,
    or_else: Q | None = None,
) -> QuerySet[Any]:
    """The rows of `found` that `terms` match, with `search_rank` and `search_excerpt`.

    `document` is the searched text of a row (`text_of` its fields; related rows' texts through
    a subquery with `Joined`), `excerpt` the text its excerpt is cut from (None: the caller
    makes its own). PostgreSQL: `vector` (by default the German text of `document`; the
    `stored_vector()` where the table keeps one) matches the query, or the row meets `or_else`
    (an exact reference, say); ranked; the excerpt is the database's headline. Otherwise: every
    word is a substring of `document`, no rank, and the excerpt's whole text comes along to be
    cut by `excerpt_of`."""
    searched = F(document) if isinstance(document, str) else document
    cut = F(excerpt) if isinstance(excerpt, str) else excerpt
    if full_text():
        query = german_query(terms)
        matches = Q(search_vector=query)
        if or_else is not None:
            matches |= or_else
        found = (
            found.alias(search_vector=german_vector(searched) if vector is None else vector)
            .filter(matches)
            .annotate(search_rank=rank(F("search_vector"), query))
        )
        return found if cut is None else found.annotate(search_excerpt=headline(cut, query))
    found = found.alias(search_document=searched).filter(
        every_word(terms.words, ("search_document",))
    )
    return found if cut is None else found.annotate(search_excerpt=cut)


def excerpt_of(row: Any, terms: Terms) -> SafeString:
    """A row's excerpt from `matching` as HTML, the matches marked."""
    text = getattr(row, "search_excerpt", "")
    return marked(text) if full_text() else highlight(text, terms.words)


def score_of(row: Any) -> float:
    return float(getattr(row, "search_rank", 0.0) or 0.0)


# --- Results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit[T]:
    """One record found: the row (for the caller's link and facts), its title and excerpt as
    HTML with the matches marked, its date, and how well it matched (0 without full text)."""

    row: T
    title: SafeString
    excerpt: SafeString
    when: When
    score: float = 0.0


@dataclass(frozen=True)
class Found[T]:
    """The first hits of a search and how many there are in all."""

    hits: list[Hit[T]]
    total: int


def first[M: Model](found: QuerySet[M], limit: int) -> tuple[list[M], int]:
    """The first `limit` rows of the ordered `found` and the count of all: one query."""
    page = page_of(found, 1, limit)
    return list(page.object_list), page.paginator.count


def ordered[M: Model](found: QuerySet[M], date_field: str) -> QuerySet[M]:
    """Best match first with full text (the rows carry `search_rank`), newest first without;
    ties newest first."""
    newest = [F(date_field).desc(nulls_last=True), F("pk").desc()]
    if full_text():
        return found.order_by(F("search_rank").desc(), *newest)
    return found.order_by(*newest)


def _moment(when: When) -> float:
    if when is None:
        return float("-inf")
    if isinstance(when, datetime):
        return when.timestamp()
    return timezone.make_aware(datetime.combine(when, datetime.min.time())).timestamp()


def merged(*parts: Found[Any], limit: int) -> Found[Any]:
    """Several searches as one group (decisions of meetings and of circulations): the best
    `limit` of their hits, in the order each search uses, and the sum of their totals."""
    hits = [hit for part in parts for hit in part.hits]
    hits.sort(key=lambda hit: (hit.score, _moment(hit.when)), reverse=True)
    return Found(hits=hits[:limit], total=sum(part.total for part in parts))
