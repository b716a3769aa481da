"""Erasure of a person's data (Art. 17 GDPR) and the audit rows of exports and erasures.

An account is pseudonymised, not deleted: the audit trail, the ledger and the procedure's records
point at it (PROTECT), and they show its name from the row, which now reads „Gelöschte Person“.
It can no longer log in (inactive, no usable password, sessions, second factor and API tokens
gone); its roles stay as history and grant nothing to an inactive account. Records of a person
without an account (found by the e-mail address) are pseudonymised the same way; inquiries go
through the inbox's own erasure, a public news subscription is deleted.

The audit rows name the account by reference and the person without an account not at all: the
trail is append-only and must not keep what the erasure removes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buendnis.accounts.models import ApiToken, Membership, PlatformRole, Role, User
from buendnis.accounts.permissions import is_platform_admin
from buendnis.accounts.twofactor import devices_delete as second_factor_delete
from buendnis.alliances.models import Alliance
from buendnis.core.audit import audit_record, bump_on_commit, without_addresses
from buendnis.core.errors import DomainError, NotPermitted
from buendnis.core.mail import queued_mail_delete
from buendnis.core.models import AuditEntry
from buendnis.meetings.models import CalendarFeed
from buendnis.notifications.models import (
    Notification,
    NotificationPreference,
    PublicSubscription,
    Subscription,
)
from buendnis.office.models import Inquiry
from buendnis.office.services import inquiry_erase

from . import permissions, selectors

PSEUDONYM_FIRST_NAME = "Gelöschte"
PSEUDONYM_LAST_NAME = "Person"
PSEUDONYM_NAME = f"{PSEUDONYM_FIRST_NAME} {PSEUDONYM_LAST_NAME}"
# The audit rows of a person without an account: no model row to point at, and no address.
PERSON_OBJECT_TYPE = "privacy.person"
PERSON_REPR = "Person ohne Zugang"
# Fields of people's records that a pseudonym replaces, beyond PERSONAL_KEYS.
_ALSO_CLEARED: dict[str, dict[str, Any]] = {
    "alliances.person": {"title": "", "show_name_publicly": False},
}


def pseudonym_username(account: User) -> str:
    return f"geloescht-{account.pk}"


# The erasure's count of the mails deleted from the tasks' queue (buendnis/core/mail.py).
QUEUED_MAIL = "core.queued_mail"


@dataclass
class Erasure:
    """What an erasure did: the account's pseudonym (if an account) and the records per kind."""

    pseudonym: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, number: int) -> None:
        if number:
            self.counts[key] = self.counts.get(key, 0) + number


# --- Audit rows -----------------------------------------------------------------------------------


def _person_audit(
    *,
    actor: User | None,
    action: str,
    alliance: Alliance | None,
    changes: dict[str, Any],
    comment: str = "",
) -> None:
    """An audit row about a person without an account: no record to name, no address."""
    bump_on_commit()
    AuditEntry.objects.create(
        alliance=alliance,
        actor=actor,
        action=action,
        object_type=PERSON_OBJECT_TYPE,
        object_id="",
        object_repr=PERSON_REPR,
        changes=changes,
        comment=without_addresses(comment),
    )


def export_record(
    *, actor: User | None, alliance: Alliance | None, data: selectors.PersonalData, output: str
) -> None:
    """Audit a handed-out export: whose (the account's number, never the address), how, how much."""
    if actor is not None and alliance is not None:
        _check(actor, alliance, data.account)
    changes = {"format": output, "records": data.counts()}
    with transaction.atomic():
        if data.account is not None:
            audit_record(
                actor=actor,
                action="privacy.export",
                instance=data.account,
                alliance=alliance,
                changes=changes,
            )
        else:
            _person_audit(actor=actor, action="privacy.export", alliance=alliance, changes=changes)


def _check(actor: User, alliance: Alliance, account: User | None) -> None:
    if not permissions.can_handle_personal_data(actor, alliance):
        raise NotPermitted(
            _("Auskunft und Löschung personenbezogener Daten gibt die Geschäftsstelle.")
        )
    if account is not None and not permissions.can_handle_account(actor, alliance, account):
        raise NotPermitted(
            _(
                "Dieser Zugang gehört auch zu einem anderen Bündnis oder zur Plattform: Auskunft "
                "und Löschung gibt die Plattform-Administration."
            )
        )


# --- Erasure --------------------------------------------------------------------------------------


def _pseudonymised_values(record: models.Model, groups: set[str] | None = None) -> dict[str, Any]:
    """The pseudonym's values of the record's personal fields (of `groups` only, if given)."""
    values: dict[str, Any] = {}
    for personal in selectors.personal_fields(type(record)):
        if groups is not None and selectors.field_group(personal.name) not in groups:
            continue
        if personal.name == "first_name":
            values[personal.attname] = PSEUDONYM_FIRST_NAME
        elif personal.name == "last_name":
            values[personal.attname] = PSEUDONYM_LAST_NAME
        elif personal.blank:
            values[personal.attname] = ""
        else:
            values[personal.attname] = PSEUDONYM_NAME
    if groups is None or "" in groups:
        values.update(_ALSO_CLEARED.get(record._meta.label_lower, {}))
    return values


def _pseudonymise(record: models.Model) -> None:
    """Replace the record's personal fields in the database (no model save: no side effects,
    no validation of an old record against today's rules)."""
    type(record)._default_manager.filter(pk=record.pk).update(**_pseudonymised_values(record))


def _erase_email_records(
    *, actor: User | None, email: str, alliance: Alliance | None, erasure: Erasure
) -> set[int | None]:
    """Erase what the address finds; returns the alliances it found records in."""
    alliance_ids: set[int | None] = set()
    for model, records in selectors.email_records(email, alliance):
        key = model._meta.label_lower
        for record in records:
            alliance_ids.add(getattr(record, "alliance_id", None))
            if isinstance(record, Inquiry):
                inquiry_erase(actor=actor, inquiry=record)
            elif isinstance(record, PublicSubscription):
                # Unsubscribing deletes the row too: the address is kept nowhere else.
                record.delete()
            else:
                _pseudonymise(record)
        erasure.add(key, len(records))
    return alliance_ids


def _erase_named_records(
    *, name: str, email: str, alliance: Alliance | None, erasure: Erasure
) -> None:
    """Free-text names of the person copied into records (who attended, who is the contact) —
    only where the name stands without an address or with the person's own: a namesake with an
    address of their own (`contact_name` with another `contact_email`) is another person."""
    if not name.strip():
        return
    for model in selectors.scoped_models(alliance):
        personal = selectors.personal_fields(model)
        for named in personal:
            if not named.name.endswith("_name") or named.name in ("first_name", "last_name"):
                continue
            group = selectors.field_group(named.name)
            records = model._default_manager.filter(**{f"{named.attname}__iexact": name.strip()})
            for address in personal:
                if isinstance(address, models.EmailField) and (
                    selectors.field_group(address.name) == group
                ):
                    own = models.Q(**{address.attname: ""})
                    if email.strip():
                        own |= models.Q(**{f"{address.attname}__iexact": email.strip()})
                    records = records.filter(own)
            if alliance is not None:
                records = records.filter(**{selectors.alliance_path(model) or "pk": alliance})
            number = records.update(**{named.attname: PSEUDONYM_NAME})
            erasure.add(model._meta.label_lower, number)


def _erase_own_records(*, actor: User | None, account: User, erasure: Erasure) -> None:
    """The records that are the account's own by their link (`selectors.own_link_groups`): the
    inquiries it asked go through the inbox's erasure, the rest (its messages, its person
    records) lose the personal fields of that link. Everywhere: the account is the actor's to
    handle alone (`permissions.can_handle_account`)."""
    for model, records in selectors.linked_records(account):
        key = model._meta.label_lower
        for record, link_names in records:
            groups = selectors.own_link_groups(record, link_names)
            if not groups:
                continue
            if isinstance(record, Inquiry) and "asker_user" in link_names:
                erasure.add(key, int(inquiry_erase(actor=actor, inquiry=record)))
                continue
            values = _pseudonymised_values(record, groups)
            type(record)._default_manager.filter(pk=record.pk).update(**values)
            erasure.add(key, 1)


def _erase_admin_and_axes(
    *, account: User | None, people: list[int], names: list[str], erasure: Erasure
) -> None:
    """/admin/'s history keeps the name it showed (object_repr): the pseudonym replaces it.
    django-axes' login attempts under the old username or address are deleted."""
    erasure.add(
        "admin.logentry",
        selectors.admin_log_entries(account=account, people=people).update(
            object_repr=PSEUDONYM_NAME
        ),
    )
    for model, rows in selectors.axes_records(names):
        erasure.add(
            model._meta.label_lower,
            model._default_manager.filter(pk__in=[r.pk for r in rows]).delete()[0],
        )


def _sessions_delete(account: User) -> int:
    """The account's open sessions (a database scan: erasures are rare)."""
    doomed = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        if session.get_decoded().get("_auth_user_id") == str(account.pk)
    ]
    return Session.objects.filter(pk__in=doomed).delete()[0]


def _lock_guards(account: User) -> None:
    """Lock what `erase_check` counts before it counts: the office memberships of every alliance
    the account is an office of and, for a platform admin, the admin accounts. Two erasures of
    the last two offices (or admins) then run one after the other, and the second sees the first
    done. Always in this order (memberships, admins, the account), so no two erasures deadlock."""
    alliance_ids = Membership.objects.filter(user=account, role=Role.OFFICE).values("alliance_id")
    list(
        Membership.objects.select_for_update()
        .filter(alliance_id__in=alliance_ids, role=Role.OFFICE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if account.platform_role == PlatformRole.ADMIN:
        list(
            User.objects.select_for_update()
            .filter(platform_role=PlatformRole.ADMIN)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def erase_check(*, actor: User | None, account: User) -> None:
    """Refusals, in German. Not the actor's own account (it would end the session doing it), not
    the last active office of an alliance nor the last platform admin: the alliance, or the
    platform, would be left without anyone who may appoint a successor. Call it inside the
    erasure's transaction after `_lock_guards`."""
    if actor is not None and actor.pk == account.pk:
        raise DomainError(_("Das eigene Konto können Sie hier nicht löschen."))
    for membership in Membership.objects.filter(user=account, role=Role.OFFICE).select_related(
        "alliance"
    ):
        others = Membership.objects.filter(
            alliance=membership.alliance, role=Role.OFFICE, user__is_active=True
        ).exclude(user=account)
        if account.is_active and not others.exists():
            raise DomainError(
                _(
                    "„%(alliance)s“ hätte danach keine Geschäftsstelle mehr. Geben Sie die Rolle "
                    "zuerst einer anderen Person."
                )
                % {"alliance": membership.alliance.name}
            )
    if account.platform_role == PlatformRole.ADMIN and account.is_active:
        admins = User.objects.filter(platform_role=PlatformRole.ADMIN, is_active=True)
        if not admins.exclude(pk=account.pk).exists():
            raise DomainError(_("Die letzte Plattform-Administration kann nicht gelöscht werden."))


def _scope(actor: User | None, alliance: Alliance | None) -> Alliance | None:
    """Where an address's records are erased: in the alliance for its office; everywhere for a
    platform admin (who acts for the platform, from any alliance's page) and the command."""
    if alliance is None or (actor is not None and is_platform_admin(actor)):
        return None
    return alliance


def account_erase(
    *, actor: User | None, account: User, reason: str, alliance: Alliance | None = None
) -> Erasure:
    """Pseudonymise an account and erase what belongs to it (see the module docstring). The
    address's records are erased in `alliance` only when one is given and the actor is its
    office, everywhere otherwise. Erasing twice is refused."""
    if actor is not None and alliance is not None:
        _check(actor, alliance, account)
    if not reason.strip():
        raise DomainError({"reason": [_("Bitte nennen Sie den Grund der Löschung.")]})
    scope = _scope(actor, alliance)
    with transaction.atomic():
        _lock_guards(account)
        account = User.objects.select_for_update().get(pk=account.pk)
        # Again under the locks: the account's roles may have changed since the page was shown.
        if actor is not None and alliance is not None:
            _check(actor, alliance, account)
        if account.username == pseudonym_username(account):
            raise DomainError(_("Dieses Konto ist bereits gelöscht."))
        erase_check(actor=actor, account=account)
        email, name, username = account.email, account.get_full_name(), account.username
        people = selectors.person_ids(account=account, email=email, alliance=scope)
        erasure = Erasure(pseudonym=pseudonym_username(account))
        erasure.add("two_factor", int(second_factor_delete(account)))
        prefixes = list(ApiToken.objects.filter(user=account).values_list("prefix", flat=True))
        erasure.add("api_tokens", ApiToken.objects.filter(user=account).delete()[0])
        erasure.add("sessions", _sessions_delete(account))
        for model in (Notification, Subscription, NotificationPreference, CalendarFeed):
            link = selectors.user_links(model)[0].name
            erasure.add(
                model._meta.label_lower,
                model._default_manager.filter(**{link: account}).delete()[0],
            )
        _erase_admin_and_axes(
            account=account, people=people, names=[username, email], erasure=erasure
        )
        _erase_own_records(actor=actor, account=account, erasure=erasure)
        if email:
            _erase_email_records(actor=actor, email=email, alliance=scope, erasure=erasure)
            # The queue keeps whole mails (14 days, failed ones 60): those to the account go, and
            # so does what was still to be sent to it.
            erasure.add(QUEUED_MAIL, queued_mail_delete(email, pending=True))
        _erase_named_records(name=name, email=email, alliance=scope, erasure=erasure)
        account.username = erasure.pseudonym
        account.first_name, account.last_name = PSEUDONYM_FIRST_NAME, PSEUDONYM_LAST_NAME
        account.email = ""
        account.platform_role = PlatformRole.NONE
        account.is_active = account.is_staff = account.is_superuser = False
        account.set_unusable_password()
        account.save()
        audit_record(
            actor=actor,
            action="privacy.erase",
            instance=account,
            alliance=alliance,
            changes={
                "pseudonym": erasure.pseudonym,
                "erased": erasure.counts,
                "api_tokens": prefixes,
            },
            comment=reason,
        )
    return erasure


def person_erase(
    *, actor: User | None, email: str, reason: str, alliance: Alliance | None = None
) -> Erasure:
    """Erase the records of an address that has no account (contact persons, askers, project
    and idea contacts, news subscriptions), in `alliance` for its office or, for a platform
    admin and the command, everywhere."""
    if actor is not None and alliance is not None:
        _check(actor, alliance, None)
    if not reason.strip():
        raise DomainError({"reason": [_("Bitte nennen Sie den Grund der Löschung.")]})
    if User.objects.filter(email__iexact=email.strip()).exists():
        raise DomainError(
            _(
                "Zu dieser Adresse gibt es einen Zugang: Löschen Sie den Zugang über seinen Benutzernamen."
            )
        )
    scope = _scope(actor, alliance)
    erasure = Erasure()
    with transaction.atomic():
        if actor is not None and alliance is not None:
            _check(actor, alliance, None)
        people = selectors.person_ids(account=None, email=email, alliance=scope)
        _erase_admin_and_axes(
            account=None,
            people=people,
            names=[email] if scope is None else [],
            erasure=erasure,
        )
        alliance_ids = _erase_email_records(
            actor=actor, email=email, alliance=scope, erasure=erasure
        )
        if scope is None:
            # Copies of mail sent to the address, of every alliance: only for the platform. Mail
            # still to be sent may belong to another business with it, and the queue forgets it
            # days after sending.
            erasure.add(QUEUED_MAIL, queued_mail_delete(email, pending=False))
        if not erasure.counts:
            raise DomainError(_("Zu dieser Adresse sind keine Daten gespeichert."))
        # One row per alliance the address was found in (its office reads its own trail).
        found_in = sorted(pk for pk in alliance_ids if pk is not None)
        rows: list[Alliance | None] = (
            [alliance] if alliance is not None else list(Alliance.objects.filter(pk__in=found_in))
        )
        for row_alliance in rows or [None]:
            _person_audit(
                actor=actor,
                action="privacy.erase",
                alliance=row_alliance,
                changes={"erased": erasure.counts},
                comment=reason,
            )
    return erasure


# --- Dry run --------------------------------------------------------------------------------------


class _DryRun(Exception):
    def __init__(self, erasure: Erasure) -> None:
        super().__init__()
        self.erasure = erasure


def erasure_preview(
    *,
    actor: User | None,
    account: User | None,
    email: str = "",
    alliance: Alliance | None = None,
) -> Erasure:
    """What the erasure would change, counted by doing it and rolling it back: the confirmation
    page and the command without --confirm show exactly these numbers. Its refusals (last
    office, nothing stored) come here already."""
    try:
        with transaction.atomic():
            erasure = erase(
                actor=actor, account=account, email=email, reason="Vorschau", alliance=alliance
            )
            raise _DryRun(erasure)
    except _DryRun as done:
        return done.erasure


def erase(
    *,
    actor: User | None,
    account: User | None,
    email: str = "",
    reason: str,
    alliance: Alliance | None = None,
) -> Erasure:
    """The account's erasure, or an address's without one (what `selectors.identify` found)."""
    if account is not None:
        return account_erase(actor=actor, account=account, reason=reason, alliance=alliance)
    return person_erase(actor=actor, email=email, reason=reason, alliance=alliance)


_COUNT_LABELS = {
    "two_factor": gettext_lazy("Zwei-Faktor-Anmeldung"),
    "api_tokens": gettext_lazy("API-Schlüssel"),
    "sessions": gettext_lazy("Offene Sitzungen"),
    QUEUED_MAIL: gettext_lazy("Gespeicherte E-Mails"),
}


def erasure_rows(erasure: Erasure) -> list[tuple[str, int]]:
    """The counts with their labels (the kinds of records), for the page and the command."""
    rows = []
    for key, number in sorted(erasure.counts.items()):
        if key in _COUNT_LABELS:
            label = str(_COUNT_LABELS[key])
        else:
            try:
                label = str(capfirst(apps.get_model(key)._meta.verbose_name_plural))
            except (LookupError, ValueError):
                label = key
        rows.append((label, number))
    return rows


def handled_person(*, actor: User, alliance: Alliance, identifier: str) -> selectors.PersonalData:
    """The data of the person a form names (a username or an address), if the actor may hand it
    out or erase it from this alliance's pages. Every refusal is the same sentence: whether an
    account or address exists elsewhere is not the office's to learn."""
    refused = DomainError(
        {
            "person": [
                _(
                    "Zu dieser Angabe gibt es in diesem Bündnis keine Daten, die Sie bearbeiten "
                    "dürfen."
                )
            ]
        }
    )
    person = selectors.identify(identifier)
    if person is None:
        raise refused
    account, email = person
    if account is not None and not permissions.can_handle_account(actor, alliance, account):
        raise refused
    data = selectors.personal_data(account=account, email=email, alliance=_scope(actor, alliance))
    if data.is_empty:
        raise refused
    return data
