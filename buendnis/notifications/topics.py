"""Topics: what members subscribe to, as a small typed key `<kind>:<ident>`. Every key is here.

| key                             | a notification when …                                   | kind registered by |
|---------------------------------|---------------------------------------------------------|--------------------|
| `body:<body id>`                | the body's meeting is invited (agenda published), its    | meetings           |
|                                 | invitation changes, it is cancelled, its minutes are     |                    |
|                                 | approved                                                 |                    |
| `project:<project id>`          | the project moves on in the procedure                    | funding            |
| `ideas-field:<action field id>` | a new idea is posted in the field of action              | here (default)     |
| `ideas:all`                     | a new idea is posted in the alliance's pool              | here (default)     |

A key names a thing of one alliance; subscriptions and notifications carry the alliance too
(`ideas:all` is the same key in every alliance). Build keys with the functions below, never by
hand: `topics.project(project.pk)`, `topics.body(meeting.body_id)`, `topics.ideas_field(field.pk)`,
`topics.IDEAS_ALL`. Then `services.notify(topic=[topics.ideas_field(idea.action_field_id),
topics.IDEAS_ALL], alliance=…, kind="idea.created", title=…, text=…, link=…, actor=author)`.
To tell one member without a subscription (the inbox's new assignee), the caller names them:
`services.notify_users(users=[assignee], alliance=…, kind="inquiry.assigned", …)`.

Who may follow a topic — and so who is told — is decided by the app that owns its records, and
asked at three places: when someone subscribes, at every fan-out (a subscriber who lost the right
since hears nothing more), and for the list of one's subscriptions (its names and links). The
owning apps *register* their kinds here from their `AppConfig.ready` (`register(TopicKind(...))`):
the notifications app imports none of them (the layering, pyproject's import-linter contracts),
and no caller of `notify` can forget the check, which a recipients filter passed by each caller
would allow. A kind nobody registered is refused when subscribing and raises in `notify`.

The idea pool's kinds are registered here with the rule of the pool (its internal circle, like
`accounts.permissions.can_view_internal`), so that the subscribe buttons work before the idea
pool registers its own rule; a later `register` of the same name replaces the default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from buendnis.accounts.permissions import UserLike, can_view_internal
from buendnis.alliances.models import ActionField, Alliance

BODY = "body"
PROJECT = "project"
IDEAS_FIELD = "ideas-field"
IDEAS = "ideas"
IDEAS_ALL = "ideas:all"

MAX_LENGTH = 80


def key(kind: str, ident: object) -> str:
    return f"{kind}:{ident}"


def body(body_id: int) -> str:
    """A body's meetings (Steuerkreis, Sprecherkreis)."""
    return key(BODY, body_id)


def project(project_id: int) -> str:
    """A project's way through the procedure."""
    return key(PROJECT, project_id)


def ideas_field(action_field_id: int) -> str:
    """New ideas in a field of action."""
    return key(IDEAS_FIELD, action_field_id)


def parse(topic: str) -> tuple[str, str]:
    """`"project:12"` → `("project", "12")`; ValueError for anything that is not a key."""
    kind, sep, ident = topic.partition(":")
    if not sep or not kind or not ident or len(topic) > MAX_LENGTH:
        raise ValueError(topic)
    return kind, ident


@dataclass(frozen=True)
class Subject:
    """What a topic is about, as the list of one's subscriptions names it (`link`: a page of this
    site, or "")."""

    label: str
    link: str = ""


@dataclass(frozen=True)
class TopicKind:
    """One kind of topic. `load` returns the topic's object if it exists in this alliance (else
    None; it receives the ident as written in the key); `can_see` says whether a user may follow
    that object and so be told about it; `describe` names many topics at once for one user (a
    query per kind, not per topic; the link is the page this user reads it on), leaving out those
    it does not find."""

    name: str
    load: Callable[[Alliance, str], Any]
    can_see: Callable[[UserLike, Any], bool]
    describe: Callable[[UserLike, Alliance, Sequence[str]], Mapping[str, Subject]]


_KINDS: dict[str, TopicKind] = {}


def register(kind: TopicKind) -> None:
    """Make a kind known (from the owning app's `AppConfig.ready`); replaces one of the same name."""
    _KINDS[kind.name] = kind


def kind_of(topic: str) -> TopicKind:
    """The registered kind of a key; LookupError for a key of no registered kind."""
    try:
        name, _ident = parse(topic)
    except ValueError as exc:
        raise LookupError(topic) from exc
    if name not in _KINDS:
        raise LookupError(topic)
    return _KINDS[name]


def load(alliance: Alliance, topic: str) -> Any:
    """The topic's object in this alliance, or None (unknown kind, malformed key, not found)."""
    try:
        kind = kind_of(topic)
    except LookupError:
        return None
    return kind.load(alliance, parse(topic)[1])


def may_follow(user: UserLike, alliance: Alliance, topic: str) -> bool:
    """May this user follow the topic in this alliance (and be told about it)?"""
    thing = load(alliance, topic)
    return thing is not None and kind_of(topic).can_see(user, thing)


def describe(user: UserLike, alliance: Alliance, topic_keys: Iterable[str]) -> dict[str, Subject]:
    """Names (and links, for this user) of the topics, one query per kind; unknown ones are left
    out."""
    by_kind: dict[str, list[str]] = {}
    for topic in topic_keys:
        try:
            kind = kind_of(topic)
        except LookupError:
            continue
        by_kind.setdefault(kind.name, []).append(topic)
    named: dict[str, Subject] = {}
    for name, keys in by_kind.items():
        idents = {parse(topic)[1]: topic for topic in keys}
        for ident, subject in _KINDS[name].describe(user, alliance, sorted(idents)).items():
            named[idents[ident]] = subject
    return named


def digits(idents: Iterable[str]) -> list[int]:
    """The idents that are ids (for `describe` and `load` of kinds keyed by a record's id)."""
    return [int(ident) for ident in idents if ident.isdigit()]


# --- The idea pool's kinds (defaults: see the module docstring) ----------------------------------


def _load_field(alliance: Alliance, ident: str) -> ActionField | None:
    if not ident.isdigit():
        return None
    field = ActionField.objects.filter(alliance=alliance, pk=int(ident)).first()
    if field is not None:
        field.alliance = alliance  # known already: no query for it in `_field_visible`
    return field


def _field_visible(user: UserLike, field: ActionField) -> bool:
    return can_view_internal(user, field.alliance)


def _describe_fields(
    user: UserLike, alliance: Alliance, idents: Sequence[str]
) -> dict[str, Subject]:
    fields = ActionField.objects.filter(alliance=alliance, pk__in=digits(idents))
    return {
        str(field.pk): Subject(
            _("Neue Ideen im Handlungsfeld „%(field)s“") % {"field": field.title}
        )
        for field in fields
    }


def _load_pool(alliance: Alliance, ident: str) -> Alliance | None:
    return alliance if ident == "all" else None


def _pool_visible(user: UserLike, alliance: Alliance) -> bool:
    return can_view_internal(user, alliance)


def _describe_pool(user: UserLike, alliance: Alliance, idents: Sequence[str]) -> dict[str, Subject]:
    return {"all": Subject(_("Neue Ideen im Ideenpool"))} if "all" in idents else {}


def register_defaults() -> None:
    for kind in (
        TopicKind(IDEAS_FIELD, _load_field, _field_visible, _describe_fields),
        TopicKind(IDEAS, _load_pool, _pool_visible, _describe_pool),
    ):
        _KINDS.setdefault(kind.name, kind)
