"""Who does what after the grant: the project's own applicant reports, requests payments and
records participant figures; the office sets the schedule, reviews, checks and releases; the
internal circle and the ministry read along (README, roles)."""

from __future__ import annotations

from buendnis.accounts.permissions import UserLike, can_manage
from buendnis.funding.models import Project
from buendnis.funding.permissions import can_view_project, is_project_applicant


def can_view_followup(user: UserLike, project: Project) -> bool:
    """Reports, payment requests and figures of a project: whoever may see the whole project
    (its applicant, the internal circle, the ministry, platform admins)."""
    return can_view_project(user, project)


def can_report(user: UserLike, project: Project) -> bool:
    """Submit a report, request a payment, record participant figures: the project's applicant,
    and the office on its behalf."""
    return can_manage(user, project.alliance) or is_project_applicant(user, project)


def can_supervise(user: UserLike, project: Project) -> bool:
    """Set the report schedule, review reports, check, release or refuse payment requests,
    record co-financing received: the office."""
    return can_manage(user, project.alliance)
