"""Writes to user accounts and to their roles in the alliances.

Each service validates (German messages), saves and writes its audit row in one transaction. The
password hash never enters the audit trail. Whether the actor may do it is the caller's to check
(`permissions.can_manage_platform` for accounts, `permissions.can_manage` for roles).

Accounts that acted are deactivated, never deleted: the audit trail points at them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from buendnis.core.audit import audit_record, diff, snapshot
from buendnis.core.errors import DomainError
from buendnis.core.models import AuditEntry

from .models import Membership, PlatformRole, Role, User

if TYPE_CHECKING:
    # Types only: `alliances.services` imports this module, so this one must not import it back.
    from buendnis.alliances.models import Alliance, Organisation

# Never into the audit trail: the password hash, and the login time that changes on every login.
_NOT_AUDITED = frozenset({"password", "last_login"})
_USER_FIELDS = frozenset(field.name for field in User._meta.concrete_fields)
# What `user_update` changes. The password has its own service, which validates it.
USER_UPDATABLE = _USER_FIELDS - {"id", *_NOT_AUDITED}


def _user_snapshot(user: User) -> dict[str, Any]:
    return {key: value for key, value in snapshot(user).items() if key not in _NOT_AUDITED}


def password_check(*, password: str, user: User) -> None:
    """Django's password validators (AUTH_PASSWORD_VALIDATORS); their messages are German. `user`
    may be unsaved: its names are what the password must not resemble."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError({"password": error.error_list}) from error


def _password_check(password: str, user: User) -> None:
    password_check(password=password, user=user)


def _user_change(
    *,
    actor: User | None,
    user: User,
    changes: dict[str, Any],
    action: str,
    alliance: Alliance | None = None,
    comment: str = "",
) -> User:
    """Apply `changes`, validate them, save them and audit what really changed (nothing: no row).

    `user` may already carry the new values (the admin's form sets them): the state before is read
    from the database, under a row lock, so two writers cannot both audit the same "before".
    """
    with transaction.atomic():
        stored = User.objects.select_for_update().get(pk=user.pk)
        for name, value in changes.items():
            setattr(user, name, value)
        # Only the changed fields: an old account's other fields may not meet today's rules.
        user.full_clean(exclude=sorted(_USER_FIELDS - set(changes)))
        before, after = _user_snapshot(stored), _user_snapshot(user)
        changed = diff(
            {name: before[name] for name in changes}, {name: after[name] for name in changes}
        )
        if not changed:
            return user
        user.save(update_fields=sorted(changed))
        audit_record(
            actor=actor,
            action=action,
            instance=user,
            alliance=alliance,
            changes=changed,
            comment=comment,
        )
    return user


# --- Accounts -----------------------------------------------------------------------------------


def user_create(
    *,
    actor: User | None,
    username: str,
    email: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    platform_role: str = PlatformRole.NONE,
    is_staff: bool = False,
    is_superuser: bool = False,
    is_active: bool = True,
    is_demo: bool = False,
) -> User:
    """Create an account. Without a password it cannot log in until someone sets one."""
    user = User(
        username=username,
        email=User.objects.normalize_email(email),
        first_name=first_name,
        last_name=last_name,
        platform_role=platform_role,
        is_staff=is_staff,
        is_superuser=is_superuser,
        is_active=is_active,
        is_demo=is_demo,
    )
    # The password is checked against the other fields (similarity), so they come first.
    user.full_clean(exclude=["password"])
    if password is None:
        user.set_unusable_password()
    else:
        _password_check(password, user)
        user.set_password(password)
    with transaction.atomic():
        user.save()
        audit_record(
            actor=actor, action="user.create", instance=user, changes=diff({}, _user_snapshot(user))
        )
    return user


def user_update(*, actor: User | None, user: User, **changes: Any) -> User:
    """Change an account's fields (see USER_UPDATABLE); one audit row with before and after."""
    unknown = set(changes) - USER_UPDATABLE
    if unknown:
        # A programming error, not a user's: the password goes through user_set_password.
        raise TypeError(f"user_update ändert nicht: {', '.join(sorted(unknown))}")
    return _user_change(actor=actor, user=user, changes=changes, action="user.update")


def user_deactivate(*, actor: User | None, user: User) -> User:
    """Close an account: it can no longer log in and its roles grant nothing
    (`permissions.is_active_user`), while its roles and its history stay. Deactivating twice is a
    no-op.
    """
    if actor is not None and actor.pk == user.pk:
        raise DomainError(_("Den eigenen Zugang können Sie nicht deaktivieren."))
    return _user_change(
        actor=actor, user=user, changes={"is_active": False}, action="user.deactivate"
    )


def user_set_password(*, actor: User | None, user: User, password: str | None) -> User:
    """Set a new password, checked by the password validators; None switches password login off.

    The audit row says that the password changed, never what it is.
    """
    if password is not None:
        _password_check(password, user)
    with transaction.atomic():
        if password is None:
            user.set_unusable_password()
            comment = "Anmeldung mit Passwort abgeschaltet."  # audit trail: platform language
        else:
            user.set_password(password)
            comment = ""
        user.save(update_fields=["password"])
        audit_record(actor=actor, action="user.password", instance=user, comment=comment)
    return user


def _acted_message(user: User) -> str:
    return _(
        "Der Zugang „%(user)s“ steht im Protokoll und kann nicht gelöscht werden. "
        "Deaktivieren Sie ihn stattdessen."
    ) % {"user": user.get_username()}


def user_delete_validate(user: User) -> None:
    """Only an account that never acted may go; the audit trail keeps pointing at the others."""
    if AuditEntry.objects.filter(actor=user).exists():
        raise DomainError(_acted_message(user))


def user_delete(*, actor: User | None, user: User) -> None:
    """Delete an account that never acted (a typo, a duplicate), with its roles."""
    with transaction.atomic():
        user_delete_validate(user)
        audit_record(actor=actor, action="user.delete", instance=user, changes=_user_snapshot(user))
        try:
            user.delete()
        except models.ProtectedError as error:
            # It acted after the check, or it deletes itself: the row just written names it.
            raise DomainError(_acted_message(user)) from error


# --- Roles in the alliances ---------------------------------------------------------------------


def membership_validate(membership: Membership) -> None:
    organisation = membership.organisation
    if organisation is not None and organisation.alliance_id != membership.alliance_id:
        raise DomainError(
            _("„%(record)s“ gehört zu einem anderen Bündnis.") % {"record": organisation}
        )


def membership_save(*, actor: User | None, instance: Membership) -> Membership:
    """Grant or change a role, with its audit row.

    The office works in Django's admin, which lets only staff in: the office role makes the
    account staff in the same transaction, audited as a change of the account.
    """
    with transaction.atomic():
        creating = instance._state.adding
        before: dict[str, Any] = {}
        if not creating:
            before = snapshot(Membership.objects.get(pk=instance.pk))
        instance.full_clean()
        membership_validate(instance)
        instance.save()
        audit_record(
            actor=actor,
            action="membership.create" if creating else "membership.update",
            instance=instance,
            changes=diff(before, snapshot(instance)),
        )
        if instance.role == Role.OFFICE:
            _user_change(
                actor=actor,
                user=instance.user,
                changes={"is_staff": True},
                action="user.update",
                alliance=instance.alliance,
                comment="Rolle Geschäftsstelle erteilt: Zugang zur Verwaltung.",  # audit trail: German
            )
    return instance


def membership_grant(
    *,
    actor: User | None,
    user: User,
    alliance: Alliance,
    role: str,
    organisation: Organisation | None = None,
) -> Membership:
    return membership_save(
        actor=actor,
        instance=Membership(user=user, alliance=alliance, role=role, organisation=organisation),
    )
