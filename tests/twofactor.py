"""Two-factor login in tests: a confirmed app for a user, its current code, a verified session.

`tests/conftest.py` makes `Client.force_login` verify the session for everyone who must use
two-factor login (or has set it up), so the many tests that log in office, ministry or admin
personas see the pages as a person who gave their code does. A test of the gate itself logs in
with `force_login_unverified`.
"""

from __future__ import annotations

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from buendnis.accounts.models import User

# Django's own, before tests/conftest.py wraps it.
_PLAIN_FORCE_LOGIN = Client.force_login


def device_for(user: User) -> TOTPDevice:
    """The user's confirmed app, made if there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test-App", confirmed=True)
    return device


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the app shows now (or `steps_ahead` periods of 30 s later: a device takes each
    period's code once, and accepts the next period's within its tolerance)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def verify_session(client: Client, user: User) -> TOTPDevice:
    """Mark the client's session as having passed the code step (what `django_otp.login` does
    inside a request)."""
    device = device_for(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def force_login_unverified(client: Client, user: User) -> None:
    """Logged in with the password only: the state before the code step."""
    _PLAIN_FORCE_LOGIN(client, user)
