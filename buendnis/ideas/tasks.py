"""The idea pool's periodic job as a task (buendnis/core/periodic.py; by hand:
`manage.py ideas_encode`). The worker that runs it loads the encoders once (about 250–300 MB)."""

from __future__ import annotations

from django.tasks import task

from . import matching


@task()
def ideas_encode() -> dict[str, int]:
    """Encodes the ideas and projects without an up-to-date encoding for the similarity search."""
    ideas = matching.encode_ideas(matching.pending_ideas())
    projects = matching.encode_projects(matching.pending_projects())
    if ideas or projects:
        matching.forget_corpora()
    return {"ideas": ideas, "projects": projects}
