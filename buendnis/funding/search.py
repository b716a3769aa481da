"""Finding an alliance's projects and their documents (the alliance's search; the two ways of
asking, full text on PostgreSQL and substrings elsewhere, are `core.search`'s).

Who sees what is the caller's to say, from `permissions.project_access(user, alliance)`:
`visible()` for the projects (the public ones, an applicant's own, all for the internal circle),
`records()` for the documents, which belong to a project's non-public record. Each function
costs one query, whatever the number of projects: the rows carry the total. On PostgreSQL the
projects' text is read from the column migration 0003 keeps (title weighing most).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from django.db.models import Case, Q, Value, When

from buendnis.alliances.models import Alliance
from buendnis.core.search import (
    Found,
    Hit,
    Terms,
    excerpt_of,
    file_words,
    first,
    full_text,
    highlight,
    matching,
    ordered,
    score_of,
    stored_vector,
    text_of,
)

from .models import DocumentKind, Project, ProjectDocument

# --- Projects ---------------------------------------------------------------------------------

# What a project hit shows and links to (the texts come as the excerpt).
PROJECT_FIELDS = ("reference", "title", "status", "updated_at", "alliance_id")
PROJECT_TEXTS = ("summary", "goals", "target_group")


def search_projects(alliance: Alliance, terms: Terms, *, visible: Q, limit: int) -> Found[Project]:
    """The alliance's projects that `visible` admits and `terms` match (title, summary, goals,
    target group; the reference: exactly with full text, in part without), best or newest
    first: at most `limit` and the count of all, in one query."""
    texts = text_of(*PROJECT_TEXTS)
    found = matching(
        Project.objects.filter(alliance=alliance).filter(visible).only(*PROJECT_FIELDS),
        terms,
        document=text_of("reference", "title", texts),
        excerpt=texts,
        vector=stored_vector(),
        or_else=Q(reference=terms.text.upper()),
    )
    rows, total = first(ordered(found, "updated_at"), limit)
    return Found([_project_hit(project, terms) for project in rows], total)


def _project_hit(project: Project, terms: Terms) -> Hit[Project]:
    return Hit(
        row=project,
        title=highlight(project.title, terms.words, whole=True),
        excerpt=excerpt_of(project, terms),
        when=project.updated_at,
        score=score_of(project),
    )


# --- Documents --------------------------------------------------------------------------------


def file_label(document: ProjectDocument) -> str:
    """The name the file was uploaded with (`projects/7/sketch/v2-skizze.pdf` → `skizze.pdf`)."""
    name = PurePosixPath(document.file.name or "").name
    return name.removeprefix(f"v{document.version}-")


def _kind_label() -> Case:
    """The kind in words ("Kurzskizze"), so that a kind's name finds its documents."""
    return Case(
        *[When(kind=kind, then=Value(str(label))) for kind, label in DocumentKind.choices],
        default=Value(""),
    )


def search_project_documents(
    alliance: Alliance, terms: Terms, *, records: Q, limit: int
) -> Found[ProjectDocument]:
    """Every version of the documents of the alliance's projects that `records` admits (a
    filter on Project: `ProjectAccess.records()`) whose file name or kind matches `terms`, best
    or newest first, with their project: at most `limit` and the count of all, in one query."""
    projects = Project.objects.filter(alliance=alliance).filter(records).values("pk")
    documents = ProjectDocument.objects.filter(project__in=projects).select_related("project")
    name = file_words("file") if full_text() else "file"
    found = matching(documents, terms, document=text_of(name, _kind_label()), excerpt=None)
    rows, total = first(ordered(found, "uploaded_at"), limit)
    return Found([_document_hit(document, terms) for document in rows], total)


def _document_hit(document: ProjectDocument, terms: Terms) -> Hit[ProjectDocument]:
    return Hit(
        row=document,
        title=highlight(file_label(document), terms.words, whole=True),
        excerpt=highlight(document.project.title, terms.words, whole=True),
        when=document.uploaded_at,
        score=score_of(document),
    )
