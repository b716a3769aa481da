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
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from buendnis.accounts.models import ApiToken, Membership, User
from buendnis.alliances.models import Alliance
from buendnis.core.audit import PERSONAL_KEYS
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
    }
)


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


def find_account(identifier: str) -> User | None:
    """The account with this username, or the only one with this e-mail address (case ignored)."""
    text = identifier.strip()
    if not text:
        return None
    account = User.objects.filter(username__iexact=text).first()
    if account is not None:
        return account
    matches = list(User.objects.filter(email__iexact=text)[:2])
    return matches[0] if len(matches) == 1 else None


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


def _record_row(record: models.Model, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {_("Nr."): record.pk, _("Eintrag"): str(record)}
    for personal in personal_fields(type(record)):
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


def _linked_records(account: User) -> list[Section]:
    """Every record that points at the account (projects created, inquiries asked or assigned,
    votes, attendance, uploads, notifications …), by model."""
    sections = []
    for model in _models():
        links = user_links(model)
        if not links:
            continue
        query = models.Q()
        for link in links:
            query |= models.Q(**{link.name: account})
        records = list(model._default_manager.filter(query).order_by("pk"))
        if not records:
            continue
        rows = []
        for record in records:
            roles = ", ".join(
                str(link.verbose_name)
                for link in links
                if getattr(record, link.attname) == account.pk
            )
            rows.append(_record_row(record, {_("Bezug"): roles}))
        sections.append(Section(model._meta.label_lower, _label(model), rows))
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
    return PersonalData(account=account, email=address, sections=sections)


def scoped_models(alliance: Alliance | None) -> list[type[models.Model]]:
    """The models whose records an erasure in `alliance` may touch (all without one)."""
    return [m for m in _models() if alliance is None or alliance_path(m) is not None]
