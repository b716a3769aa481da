"""Everything the platform holds about a person (Art. 15 GDPR), read in one place.

A person is an account (`User`) or, without one, an e-mail address found in the records of
people who have no login: contact persons, askers of inquiries, project and idea contacts,
subscribers of the public news. The records are found by the models themselves — every foreign
key to the account, every e-mail field — so a new model with a person's data is in the export
without a change here. Secrets never are: password hashes, second-factor keys and token hashes
are read by no selector of this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from buendnis.accounts.models import ApiToken, Membership, User
from buendnis.alliances.models import Alliance, Person
from buendnis.core.audit import PERSONAL_KEYS
from buendnis.core.errors import DomainError
from buendnis.core.models import AuditEntry

# Read in sections of their own (the audit trail, the second factor, the tokens, the roles) or
# an institution's address, not a person's (the office's, an organisation's general address).
_OWN_SECTIONS = frozenset(
    {
        "core.auditentry",
        "accounts.user",
        "accounts.membership",
        "accounts.apitoken",
        "otp_totp.totpdevice",
        "otp_static.staticdevice",
        "otp_static.statictoken",
        "alliances.alliance",
        "alliances.organisation",
        "sessions.session",
        "admin.logentry",
        "axes.accessattempt",
        "axes.accessfailurelog",
        "axes.accesslog",
    }
)

# The links by which a record is the person's own, when the link's name alone does not say so:
# link → the group of personal fields it owns ("" for fields without a prefix). Beyond these the
# rule: a link owns the fields named after it (`author` → `author_name`, `author_email`). Any
# other link (assigned to, recorded by, created by) shows the record but none of its personal
# fields: they are another person's (the asker of an assigned inquiry, a project's contact).
OWN_LINKS: dict[tuple[str, str], str] = {
    ("office.inquiry", "asker_user"): "asker",
    ("alliances.person", "user"): "",
}
# django-axes' tables (login attempts by username or address, with IP and browser).
AXES_MODELS = ("axes.accessattempt", "axes.accessfailurelog", "axes.accesslog")


@dataclass
class Section:
    """One kind of record: a heading and its rows (column label → value)."""

    key: str
    title: str
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PersonalData:
    """What `personal_data` found: the account (if any), the address searched, the sections."""

    account: User | None
    email: str
    sections: list[Section]

    @property
    def is_empty(self) -> bool:
        return self.account is None and not any(section.rows for section in self.sections)

    def counts(self) -> dict[str, int]:
        """Rows per section, for the audit row (numbers, never contents)."""
        return {section.key: len(section.rows) for section in self.sections if section.rows}


def _only(query: models.QuerySet[User]) -> User | None:
    matches = list(query.order_by("pk")[:2])
    return matches[0] if len(matches) == 1 else None


def find_account(identifier: str) -> User | None:
    """The account with exactly this username; else the only one whose username matches with case
    ignored; else the same by e-mail address. Never a guess between „Erika“ and „erika“."""
    text = identifier.strip()
    if not text:
        return None
    for lookup in ("username", "username__iexact", "email", "email__iexact"):
        account = _only(User.objects.filter(**{lookup: text}))
        if account is not None:
            return account
    return None


def identify(identifier: str) -> tuple[User | None, str] | None:
    """The person a username or an address names: `(account, "")`, or `(None, address)` for an
    address without an account; None when a name finds no account."""
    text = identifier.strip()
    account = find_account(text)
    if account is not None:
        return account, ""
    return (None, text) if "@" in text else None


def person_data(identifier: str) -> PersonalData:
    """Everything about the person a username or an address names, across all alliances (the
    platform's commands). DomainError when a name finds no account or nothing is stored."""
    person = identify(identifier)
    if person is None:
        raise DomainError(_("Kein Zugang „%(name)s“ gefunden.") % {"name": identifier.strip()})
    account, email = person
    data = personal_data(account=account, email=email)
    if data.is_empty:
        raise DomainError(_("Zu dieser Person sind keine Daten gespeichert."))
    return data


def alliance_path(model: type[models.Model]) -> str | None:
    """The lookup from `model` to its alliance (`alliance`, `inquiry__alliance`), or None."""
    names = {f.name: f for f in model._meta.concrete_fields}
    if "alliance" in names:
        return "alliance"
    for name, model_field in names.items():
        related = model_field.related_model
        if (
            model_field.many_to_one
            and isinstance(related, type)
            and related is not Alliance
            and "alliance" in {f.name for f in related._meta.concrete_fields}
        ):
            return f"{name}__alliance"
    return None


def _models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model._meta.label_lower not in _OWN_SECTIONS and not model._meta.proxy
    ]


def personal_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """A model's fields that hold a person's data: the e-mail fields and PERSONAL_KEYS."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.EmailField) or f.name in PERSONAL_KEYS
    ]


def user_links(model: type[models.Model]) -> list[models.ForeignKey[Any, Any]]:
    """The model's foreign keys to the account."""
    user_model = get_user_model()
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is user_model
    ]


def email_records(
    email: str, alliance: Alliance | None
) -> list[tuple[type[models.Model], list[models.Model]]]:
    """Every record whose e-mail field holds `email` (case ignored), in the alliance if given
    (records that belong to no alliance then count as another's)."""
    found: list[tuple[type[models.Model], list[models.Model]]] = []
    address = email.strip()
    if not address:
        return found
    for model in _models():
        emails = [f.name for f in personal_fields(model) if isinstance(f, models.EmailField)]
        if not emails:
            continue
        query = models.Q()
        for name in emails:
            query |= models.Q(**{f"{name}__iexact": address})
        records = model._default_manager.filter(query)
        if alliance is not None:
            path = alliance_path(model)
            if path is None:
                continue
            records = records.filter(**{path: alliance})
        rows = list(records.order_by("pk"))
        if rows:
            found.append((model, rows))
    return found


def _label(model: type[models.Model]) -> str:
    return str(capfirst(model._meta.verbose_name_plural))


def field_group(name: str) -> str:
    """The person a personal field describes, by its prefix: `asker_email` → "asker",
    `contact_name` → "contact"; the fields of a person's own record (`email`, `first_name`) → ""."""
    if name in ("first_name", "last_name"):
        return ""
    for suffix in ("_name", "_email", "_phone"):
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return ""


def own_link_groups(record: models.Model, link_names: list[str]) -> set[str]:
    """The groups of personal fields that the links `link_names` (pointing at the person) make
    the person's own: OWN_LINKS, and a link named like the group (`author`)."""
    groups = {field_group(f.name) for f in personal_fields(type(record))}
    own = set()
    for name in link_names:
        group = OWN_LINKS.get((record._meta.label_lower, name))
        if group is None and name in groups:
            group = name
        if group is not None and group in groups:
            own.add(group)
    return own


def value_groups(record: models.Model, *, email: str, name: str) -> set[str]:
    """The groups whose e-mail field holds `email`, or whose name is `name` while their e-mail
    field is blank or missing — never a namesake with an address of their own."""
    fields: dict[str, list[models.Field[Any, Any]]] = {}
    for personal in personal_fields(type(record)):
        fields.setdefault(field_group(personal.name), []).append(personal)
    found = set()
    for group, members in fields.items():
        emails = [
            str(getattr(record, f.attname) or "").strip().lower()
            for f in members
            if isinstance(f, models.EmailField)
        ]
        names = [
            str(getattr(record, f.attname) or "").strip().lower()
            for f in members
            if f.name.endswith("_name") and f.name not in ("first_name", "last_name")
        ]
        by_address = bool(email.strip()) and email.strip().lower() in emails
        by_name = bool(name.strip()) and name.strip().lower() in names and not any(emails)
        if by_address or by_name:
            found.add(group)
    return found


def _record_date(record: models.Model) -> Any:
    for model_field in record._meta.concrete_fields:
        if isinstance(model_field, models.DateTimeField | models.DateField):
            return getattr(record, model_field.attname)
    return None


def _record_row(
    record: models.Model, groups: set[str] | None = None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The record's number, title and date, and its personal fields of the groups that are the
    person's own (all when `groups` is None: found by the person's address)."""
    row: dict[str, Any] = {_("Nr."): record.pk, _("Eintrag"): str(record)}
    row[_("Datum")] = _record_date(record)
    for personal in personal_fields(type(record)):
        if groups is None or field_group(personal.name) in groups:
            row[str(capfirst(personal.verbose_name))] = getattr(record, personal.attname)
    row.update(extra or {})
    return row


def _profile(account: User) -> Section:
    return Section(
        "account",
        _("Konto"),
        [
            {
                _("Nr."): account.pk,
                _("Benutzername"): account.username,
                _("Vorname"): account.first_name,
                _("Nachname"): account.last_name,
                _("E-Mail-Adresse"): account.email,
                _("Plattformrolle"): account.get_platform_role_display(),
                _("Aktiv"): account.is_active,
                _("Angelegt am"): account.date_joined,
                _("Zuletzt angemeldet"): account.last_login,
                _("Passwort gesetzt"): account.has_usable_password(),
            }
        ],
    )


def _memberships(account: User) -> Section:
    rows = [
        {
            _("Bündnis"): membership.alliance.name,
            _("Rolle"): membership.get_role_display(),
            _("Organisation"): membership.organisation.name if membership.organisation else "",
        }
        for membership in Membership.objects.filter(user=account)
        .select_related("alliance", "organisation")
        .order_by("alliance__name", "role")
    ]
    return Section("memberships", _("Rollen im Bündnis"), rows)


def _second_factor(account: User) -> Section:
    """Which devices exist, never their keys or codes."""
    rows = [
        {_("Verfahren"): _("Authenticator-App"), _("Name"): d.name, _("Bestätigt"): d.confirmed}
        for d in TOTPDevice.objects.filter(user=account).order_by("pk")
    ] + [
        {
            _("Verfahren"): _("Wiederherstellungscodes"),
            _("Name"): d.name,
            _("Bestätigt"): d.confirmed,
        }
        for d in StaticDevice.objects.filter(user=account).order_by("pk")
    ]
    return Section("two_factor", _("Zwei-Faktor-Anmeldung"), rows)


def _api_tokens(account: User) -> Section:
    """The tokens' names and dates; the hash of the secret is not read."""
    rows = [
        {
            _("Bezeichnung"): token.name,
            _("Kennung"): token.prefix,
            _("Angelegt am"): token.created_at,
            _("Zuletzt benutzt"): token.last_used_at,
            _("Gültig bis"): token.expires_at,
            _("Nur lesen"): token.read_only,
            _("Widerrufen am"): token.revoked_at,
        }
        for token in ApiToken.objects.filter(user=account).only(
            "name", "prefix", "created_at", "last_used_at", "expires_at", "read_only", "revoked_at"
        )
    ]
    return Section("api_tokens", _("API-Schlüssel"), rows)


def _audit_rows(entries: models.QuerySet[AuditEntry]) -> list[dict[str, Any]]:
    return [
        {
            _("Zeitpunkt"): entry.created_at,
            _("Aktion"): entry.action,
            _("Objekt"): entry.object_repr,
            _("Objekt-ID"): f"{entry.object_type} #{entry.object_id}",
        }
        for entry in entries.order_by("created_at", "id")
    ]


def linked_records(
    account: User,
) -> list[tuple[type[models.Model], list[tuple[models.Model, list[str]]]]]:
    """Every record that points at the account, by model, with the names of the links."""
    found = []
    for model in _models():
        links = user_links(model)
        if not links:
            continue
        query = models.Q()
        for link in links:
            query |= models.Q(**{link.name: account})
        records = list(model._default_manager.filter(query).order_by("pk"))
        if records:
            found.append(
                (
                    model,
                    [
                        (r, [k.name for k in links if getattr(r, k.attname) == account.pk])
                        for r in records
                    ],
                )
            )
    return found


def _linked_records(account: User) -> list[Section]:
    """Every record that points at the account (projects created, inquiries asked or assigned,
    votes, attendance, uploads, notifications …), by model. Personal fields only where they are
    the account's own (`own_link_groups`, `value_groups`): an office member's export names the
    inquiries assigned to them, not their askers."""
    sections = []
    name = account.get_full_name()
    for model, records in linked_records(account):
        verbose = {f.name: str(f.verbose_name) for f in user_links(model)}
        rows = []
        for record, link_names in records:
            groups = own_link_groups(record, link_names) | value_groups(
                record, email=account.email, name=name
            )
            roles = ", ".join(verbose[n] for n in link_names)
            rows.append(_record_row(record, groups, {_("Bezug"): roles}))
        sections.append(Section(model._meta.label_lower, _label(model), rows))
    return sections


def admin_log_entries(*, account: User | None, people: list[int]) -> models.QuerySet[LogEntry]:
    """The rows of /admin/'s history about the account or its person records."""
    query = models.Q(pk__in=[])
    if account is not None:
        query |= models.Q(
            content_type=ContentType.objects.get_for_model(User), object_id=str(account.pk)
        )
    if people:
        query |= models.Q(
            content_type=ContentType.objects.get_for_model(Person),
            object_id__in=[str(pk) for pk in people],
        )
    return LogEntry.objects.filter(query).order_by("action_time", "pk")


def axes_records(names: list[str]) -> list[tuple[type[models.Model], list[models.Model]]]:
    """django-axes' rows of login attempts under these usernames or addresses (case ignored)."""
    query = models.Q(pk__in=[])
    for name in {n.strip().lower() for n in names if n.strip()}:
        query |= models.Q(username__iexact=name)
    found = []
    for label in AXES_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        rows = list(model._default_manager.filter(query).order_by("pk"))
        if rows:
            found.append((model, rows))
    return found


def _admin_and_axes(account: User | None, people: list[int], names: list[str]) -> list[Section]:
    sections = [
        Section(
            "admin.logentry",
            _("Verwaltungsoberfläche: Änderungen"),
            [
                {_("Zeitpunkt"): entry.action_time, _("Objekt"): entry.object_repr}
                for entry in admin_log_entries(account=account, people=people)
            ],
        )
    ]
    for model, rows in axes_records(names):
        sections.append(
            Section(
                model._meta.label_lower,
                _label(model),
                [
                    {
                        label: getattr(row, name)
                        for label, name in (
                            (_("Zeitpunkt"), "attempt_time"),
                            (_("Benutzername"), "username"),
                            (_("IP-Adresse"), "ip_address"),
                            (_("Browser"), "user_agent"),
                        )
                    }
                    for row in rows
                ],
            )
        )
    return sections


def personal_data(
    *, account: User | None, email: str = "", alliance: Alliance | None = None
) -> PersonalData:
    """Everything about an account, or about an e-mail address without one. The address's
    records are searched in `alliance` only when one is given (the office's pages); an account's
    own records everywhere (the office handles only accounts of its alliance alone)."""
    address = (account.email if account is not None else email).strip()
    sections: list[Section] = []
    if account is not None:
        sections += [
            _profile(account),
            _memberships(account),
            _second_factor(account),
            _api_tokens(account),
        ]
        sections += _linked_records(account)
        sections.append(
            Section(
                "audit_actor",
                _("Protokoll: Handlungen des Kontos"),
                _audit_rows(AuditEntry.objects.filter(actor=account)),
            )
        )
        sections.append(
            Section(
                "audit_subject",
                _("Protokoll: Änderungen am Konto"),
                _audit_rows(
                    AuditEntry.objects.filter(
                        object_type="accounts.user", object_id=str(account.pk)
                    )
                ),
            )
        )
    linked_keys = {section.key for section in sections}
    for model, records in email_records(address, alliance):
        key = model._meta.label_lower
        if key in linked_keys and account is not None:
            # Already listed as linked to the account: add the ones only the address finds.
            section = next(s for s in sections if s.key == key)
            known = {row[_("Nr.")] for row in section.rows}
            section.rows += [_record_row(r) for r in records if r.pk not in known]
            continue
        title = _("%(records)s (nach E-Mail-Adresse)") % {"records": _label(model)}
        sections.append(Section(f"{key}:email", title, [_record_row(r) for r in records]))
    sections += _admin_and_axes(
        account,
        person_ids(account=account, email=address, alliance=alliance),
        # Login attempts are the platform's: an address's only where no alliance narrows.
        [account.username, account.email]
        if account is not None
        else ([address] if alliance is None else []),
    )
    return PersonalData(account=account, email=address, sections=sections)


def person_ids(*, account: User | None, email: str, alliance: Alliance | None) -> list[int]:
    """The person records of the account and those its address finds."""
    ids = (
        set(Person.objects.filter(user=account).values_list("pk", flat=True)) if account else set()
    )
    for model, records in email_records(email, alliance):
        if model is Person:
            ids |= {r.pk for r in records}
    return sorted(ids)


def scoped_models(alliance: Alliance | None) -> list[type[models.Model]]:
    """The models whose records an erasure in `alliance` may touch (all without one)."""
    return [m for m in _models() if alliance is None or alliance_path(m) is not None]
