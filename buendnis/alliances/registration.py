"""Registering as an applicant: an inactive account, a link by mail, then the role.

`registration_start` creates the account inactive and mails a confirmation link; nothing else
happens until the link comes back. `registration_confirm` activates the account and grants the
applicant role for the chosen organisation — creating the organisation first if the person named
a new one — all in one transaction, through the accounts and alliances services (each audited).

The link carries what was chosen (alliance, organisation or the new organisation's name) in a
signed, timestamped token, so no half-registered rows wait in the database. The token also holds a
hash of the account's state (password hash, active flag, e-mail, last login): once the account is
active, the same link no longer works.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from buendnis.accounts import services
from buendnis.accounts.models import Membership, Role, User
from buendnis.core.errors import DomainError

from . import services as alliance_services
from .models import Alliance, GroupKind, Organisation, OrganisationGroup

log = logging.getLogger(__name__)

# The name of the module's first home: confirmation links already mailed stay valid.
SALT = "buendnis.accounts.registration"
MAX_AGE = timedelta(days=3)
# New organisations named at registration land in the alliance's group of this kind.
OTHER_GROUP_NAME = "Sonstige"


@dataclass(frozen=True)
class Pending:
    """What a valid confirmation link stands for."""

    user: User
    alliance: Alliance
    organisation: Organisation | None
    new_organisation_name: str
    # An existing organisation's projects are not opened to whoever names it: the office confirms.
    awaits_office: bool = False

    @property
    def organisation_name(self) -> str:
        return self.organisation.name if self.organisation else self.new_organisation_name


def _state_hash(user: User) -> str:
    login = "" if user.last_login is None else user.last_login.replace(microsecond=0).isoformat()
    value = f"{user.pk}|{user.password}|{user.is_active}|{user.email}|{login}"
    return salted_hmac(SALT, value, algorithm="sha256").hexdigest()[:32]


def make_token(
    user: User, *, alliance: Alliance, organisation: Organisation | None, name: str
) -> str:
    payload = {
        "a": alliance.pk,
        "o": organisation.pk if organisation else None,
        "n": name,
        "h": _state_hash(user),
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def confirmation_path(user: User, token: str) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("accounts:register_confirm", args=[uidb64, token])


def email_taken(email: str) -> bool:
    """One account per address: it is also the login name."""
    return _account_of(email.strip()) is not None


def registration_start(
    *,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    alliance: Alliance,
    organisation: Organisation | None,
    new_organisation_name: str = "",
    site_url: str,
) -> User | None:
    """Create the inactive account and mail the link (after the commit). The e-mail address is
    the login name. Raises DomainError (German) for a weak password or a wrong organisation.

    An address that already has an account gets no second one, and the caller's answer must not
    show it (account enumeration): nothing is created, the same checks are made (the password
    too, and hashed, so the answer takes as long), and the account's owner is told by mail.
    Returns the new account, or None for a taken address."""
    email = User.objects.normalize_email(email.strip())
    if organisation is not None and organisation.alliance_id != alliance.pk:
        raise DomainError({"organisation": _("Die Organisation gehört zu einem anderen Bündnis.")})
    name = new_organisation_name.strip()
    if organisation is None:
        # A name that is already listed is that organisation.
        organisation = Organisation.objects.filter(alliance=alliance, name__iexact=name).first()
        if organisation is not None:
            name = ""
    if organisation is None and not name:
        raise DomainError({"organisation": _("Bitte eine Organisation wählen oder neu eintragen.")})
    owner = _account_of(email)
    if owner is not None:
        unsaved = User(username=email, email=email, first_name=first_name, last_name=last_name)
        services.password_check(password=password, user=unsaved)
        make_password(password)  # the time a new account's hash takes
        owner_id = owner.pk
        transaction.on_commit(lambda: _send_taken_notice(owner_id, site_url))
        return None
    with transaction.atomic():
        user = services.user_create(
            actor=None,
            # The address as typed (domain lower-cased): the login compares names exactly.
            username=email,
            email=email,
            password=password,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            is_active=False,
        )
        token = make_token(user, alliance=alliance, organisation=organisation, name=name)
        link = site_url.rstrip("/") + confirmation_path(user, token)
        transaction.on_commit(lambda: _send_confirmation(user.pk, alliance.pk, link))
    return user


def _account_of(email: str) -> User | None:
    """The account that `email_taken` finds: by e-mail address or login name."""
    return (
        User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
        .order_by("pk")
        .first()
    )


def _send_taken_notice(user_id: int, site_url: str) -> None:
    """Tell an account's owner that someone tried to register with its address, with the ways
    back in (login, new password); the page said the same as for a new address."""
    user = User.objects.get(pk=user_id)
    if not user.email:
        return
    base = site_url.rstrip("/")
    context = {
        "user": user,
        "login": base + reverse("accounts:login"),
        "reset": base + reverse("accounts:password_reset"),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/mail/taken_subject.txt", context).strip()
        body = render_to_string("accounts/mail/taken.txt", context)
    try:
        send_mail(subject, body, None, [user.email])
    except OSError:
        log.exception("Hinweis an Zugang %s (Adresse schon vergeben) nicht gesendet", user_id)


def _send_confirmation(user_id: int, alliance_id: int, link: str) -> None:
    user = User.objects.get(pk=user_id)
    alliance = Alliance.objects.get(pk=alliance_id)
    context = {
        "user": user,
        "alliance": alliance,
        "link": link,
        "days": MAX_AGE.days,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/mail/confirm_subject.txt", context).strip()
        body = render_to_string("accounts/mail/confirm.txt", context)
    try:
        send_mail(subject, body, None, [user.email])
    except OSError:
        # The account exists; the office can activate it by hand if the mail never arrives.
        log.exception("Bestätigungs-E-Mail an Zugang %s konnte nicht gesendet werden", user_id)


def _invalid() -> DomainError:
    return DomainError(
        _(
            "Der Bestätigungslink ist ungültig. Bitte prüfen Sie, ob Sie ihn vollständig aus der "
            "E-Mail übernommen haben."
        )
    )


def registration_check(*, uidb64: str, token: str) -> Pending:
    """What the link stands for, or a DomainError (German) saying why it does not work."""
    try:
        user_id = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError) as error:
        raise _invalid() from error
    try:
        payload: dict[str, Any] = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired as error:
        raise DomainError(
            _(
                "Der Bestätigungslink ist abgelaufen (er gilt %(days)s Tage). Bitte wenden Sie sich "
                "an die Geschäftsstelle, damit sie Ihren Zugang freischaltet."
            )
            % {"days": MAX_AGE.days}
        ) from error
    except signing.BadSignature as error:
        raise _invalid() from error
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise _invalid()
    if user.is_active:
        raise DomainError(
            _(
                "Ihr Zugang ist bereits bestätigt. Sie können sich mit Ihrer E-Mail-Adresse anmelden."
            )
        )
    if not constant_time_compare(str(payload.get("h", "")), _state_hash(user)):
        raise _invalid()
    alliance_id, organisation_id = payload.get("a"), payload.get("o")
    if not isinstance(alliance_id, int):
        raise _invalid()
    alliance = Alliance.objects.filter(pk=alliance_id, is_active=True).first()
    if alliance is None:
        raise _invalid()
    organisation = None
    if isinstance(organisation_id, int):
        organisation = Organisation.objects.filter(pk=organisation_id, alliance=alliance).first()
        if organisation is None:
            raise _invalid()
    return Pending(
        user=user,
        alliance=alliance,
        organisation=organisation,
        new_organisation_name=str(payload.get("n") or ""),
    )


def _other_group(actor: User, alliance: Alliance) -> OrganisationGroup:
    group = (
        OrganisationGroup.objects.filter(alliance=alliance, kind=GroupKind.OTHER)
        .order_by("position", "name")
        .first()
    ) or OrganisationGroup.objects.filter(alliance=alliance, name=OTHER_GROUP_NAME).first()
    if group is not None:
        return group
    return alliance_services.group_create(
        actor=actor, alliance=alliance, name=OTHER_GROUP_NAME, kind=GroupKind.OTHER, position=99
    )


def registration_confirm(*, uidb64: str, token: str) -> Pending:
    """Activate the account and make it an applicant of its organisation (created if new).

    The account acts itself: the link in its mail proved who it is."""
    with transaction.atomic():
        pending = registration_check(uidb64=uidb64, token=token)
        user = User.objects.select_for_update().get(pk=pending.user.pk)
        if user.is_active:  # a second click that raced the first
            raise DomainError(_("Ihr Zugang ist bereits bestätigt."))
        organisation = (
            pending.organisation
            or Organisation.objects.filter(
                alliance=pending.alliance, name__iexact=pending.new_organisation_name
            ).first()
        )
        # Naming an organisation that is already listed must not open its projects: the office
        # links the account to it after checking. A new organisation has nothing to protect yet.
        awaits_office = organisation is not None
        if organisation is None:
            organisation = alliance_services.organisation_create(
                actor=user,
                alliance=pending.alliance,
                name=pending.new_organisation_name,
                group=_other_group(user, pending.alliance),
            )
        services.user_update(actor=user, user=user, is_active=True)
        if not Membership.objects.filter(
            user=user, alliance=pending.alliance, role=Role.APPLICANT
        ).exists():
            services.membership_grant(
                actor=user,
                user=user,
                alliance=pending.alliance,
                role=Role.APPLICANT,
                organisation=None if awaits_office else organisation,
            )
        if awaits_office:
            requested = organisation
            transaction.on_commit(lambda: _ask_office(user.pk, pending.alliance.pk, requested.pk))
    return Pending(
        user=user,
        alliance=pending.alliance,
        organisation=organisation,
        new_organisation_name="",
        awaits_office=awaits_office,
    )


def _ask_office(user_id: int, alliance_id: int, organisation_id: int) -> None:
    """Ask the office to confirm that the new account speaks for a listed organisation."""
    user = User.objects.get(pk=user_id)
    alliance = Alliance.objects.get(pk=alliance_id)
    if not alliance.office_email:
        return
    organisation = Organisation.objects.get(pk=organisation_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Neuer Zugang für %(org)s: bitte bestätigen") % {"org": organisation.name}
        body = _(
            "%(name)s (%(email)s) hat sich im Bündnisportal als Antragsteller/in für „%(org)s“ "
            "registriert.\n\nBitte prüfen Sie, ob die Person für die Organisation sprechen darf, und "
            "tragen Sie die Organisation in der Verwaltung bei ihrer Rolle im Bündnis ein "
            "(Rollen im Bündnis). Bis dahin sieht die Person keine Vorhaben der Organisation."
        ) % {
            "name": user.get_full_name() or user.username,
            "email": user.email,
            "org": organisation.name,
        }
    try:
        send_mail(subject, body, None, [alliance.office_email])
    except OSError:
        log.exception(
            "Hinweis an die Geschäftsstelle zu Zugang %s konnte nicht gesendet werden", user_id
        )
