"""Two-factor login: who must use it, and the devices, made, checked and removed here only.

A person's second factor is one confirmed TOTP device (an authenticator app) plus one static
device holding the recovery codes, each of which works once. The TOTP device is the truth for
"has two-factor login": the recovery codes are made with it and removed with it.

The office of any alliance, the ministry and the platform's admins and staff must use it (they
see and change records of people and money); everyone else may. django-otp keeps the verified
device in the session (`django_otp.login`), so `request.user.is_verified()` tells whether this
session passed the second step; `middleware.TwoFactorMiddleware` enforces it.

Every change writes an audit row in the same transaction; secrets and codes never enter it.
Both device kinds throttle wrong codes (OTP_*_THROTTLE_FACTOR): after a failure the device
refuses every code for a growing pause, so codes cannot be guessed in bulk.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from buendnis.core.audit import audit_record
from buendnis.core.errors import DomainError

from . import permissions
from .models import User

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "Authenticator-App"
STATIC_NAME = "Wiederherstellungscodes"


# --- Reads --------------------------------------------------------------------------------------


def has_two_factor(user: User) -> bool:
    """A confirmed authenticator app. Query: one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def step_owed(user: permissions.UserLike) -> str | None:
    """What a signed-in session still owes before it may go on: "verify" (it has an app and has
    not given a code), "setup" (its role requires an app and it has none), or None. Queries: none
    for anonymous and verified sessions; else the app's existence and, without one, the roles."""
    if not user.is_authenticated or user.is_verified():  # type: ignore[attr-defined]
        return None
    if has_two_factor(user):
        return "verify"
    return "setup" if permissions.must_use_two_factor(user) else None


def pending_device(user: User) -> TOTPDevice | None:
    """The app being set up: made, not yet confirmed with a code."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def code_check(*, user: User, code: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts `code` (a 6-digit code of the app, or an unused recovery code,
    which is used up by this), or None. Every device counts the failure and throttles."""
    code = _normalise(code)
    if not code:
        return None
    devices: list[TOTPDevice | StaticDevice] = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    # Every device is asked (no early exit): each one counts the failure of a wrong code, so
    # guessing is throttled on both and the answer's timing does not tell which kind matched.
    matched = None
    for device in devices:
        if device.verify_token(code) and matched is None:
            matched = device
    return matched


def is_throttled(user: User) -> bool:
    """The app refuses codes for the moment after wrong ones (the pause grows with each)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device is not None and not device.verify_is_allowed()[0]


# --- Writes -------------------------------------------------------------------------------------


def totp_begin(*, user: User) -> TOTPDevice:
    """A new authenticator app to set up, replacing one that was begun and never confirmed.
    Refused while one is confirmed: first turn it off (the codes would silently change)."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        if has_two_factor(user):
            raise DomainError(_("Die Zwei-Faktor-Anmeldung ist bereits eingerichtet."))
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def _recovery_codes_make(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=STATIC_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def totp_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the app being set up with a code it shows. Returns the new recovery codes, which
    the caller shows once (only they are stored, in plain text as django-otp keeps them)."""
    if device.user_id != user.pk or device.confirmed:
        raise DomainError(_("Diese Einrichtung ist nicht mehr offen. Bitte neu beginnen."))
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        if not device.verify_token(_normalise(code)):
            raise DomainError(
                {"code": _("Der Code stimmt nicht. Bitte geben Sie den aktuellen Code ein.")}
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_make(user)
        audit_record(actor=user, action="twofactor.enable", instance=user)
    return codes


def recovery_codes_renew(*, user: User) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    if not has_two_factor(user):
        raise DomainError(_("Die Zwei-Faktor-Anmeldung ist nicht eingerichtet."))
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        codes = _recovery_codes_make(user)
        audit_record(actor=user, action="twofactor.recovery_codes", instance=user)
    return codes


def two_factor_disable(*, user: User, password: str, code: str) -> None:
    """The person turns it off, with password and a current code. Refused for whoever must
    use it (an admin can reset the devices instead: `two_factor_reset`)."""
    if permissions.must_use_two_factor(user):
        raise DomainError(
            _("Für Ihre Rolle ist die Zwei-Faktor-Anmeldung vorgeschrieben; sie bleibt an.")
        )
    if not user.check_password(password):
        raise DomainError({"password": _("Das Passwort stimmt nicht.")})
    if code_check(user=user, code=code) is None:
        raise DomainError({"code": _("Der Code stimmt nicht.")})
    with transaction.atomic():
        devices_delete(user)
        audit_record(actor=user, action="twofactor.disable", instance=user)


def two_factor_reset(*, actor: User | None, user: User) -> bool:
    """An admin removes a person's devices (lost phone and codes): at the next login the person
    sets it up anew, or is asked again if required. Returns whether there was anything."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        removed = devices_delete(user)
        if removed:
            audit_record(actor=actor, action="twofactor.reset", instance=user)
    return removed


def devices_delete(user: User) -> bool:
    """Delete the person's second-factor devices (authenticator and recovery codes), without an
    audit row: the caller writes its own (a reset, an erasure). Returns whether there were any."""
    totp, _rows = TOTPDevice.objects.filter(user=user).delete()
    static, _rows = StaticDevice.objects.filter(user=user).delete()
    return bool(totp or static)
