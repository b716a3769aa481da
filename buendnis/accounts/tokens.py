"""API tokens for scripts: made, checked and revoked here, nowhere else.

A token reads `bp_<prefix>_<secret>`. The prefix (12 hex digits) finds the row and names the token
in lists; only the SHA-256 of the secret is stored, so a leaked database does not leak working
tokens, and the secret is shown exactly once, when the token is made. The secret carries 256 random
bits, so a plain SHA-256 is enough (a slow password hash protects guessable secrets, not these).

Making and revoking write an audit row in the same transaction; using a token only stamps
`last_used_at`, like Django's `last_login`, without an audit row.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buendnis.core.audit import audit_record
from buendnis.core.errors import DomainError

from . import permissions
from .models import ApiToken, User

SCHEME = "bp"
_PREFIX_BYTES = 6  # 12 hex digits
_SECRET_BYTES = 32


class TokenRefused(Exception):
    """The presented token opens nothing. The message is German and goes to the client."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def default_expiry() -> datetime:
    """A token without a given expiry lives settings.BUENDNIS_API_TOKEN_DAYS days: a forgotten
    token in an old script stops working by itself."""
    return timezone.now() + timedelta(days=settings.BUENDNIS_API_TOKEN_DAYS)


def token_create(
    *,
    actor: User | None,
    user: User,
    name: str,
    expires_at: datetime | None = None,
    read_only: bool = False,
) -> tuple[ApiToken, str]:
    """Make a token for `user`, valid until `expires_at` (default: `default_expiry()`; there is
    no token without an expiry), for reads only if `read_only`. Returns the row and the token
    string, which is never stored: the caller shows it once."""
    if not name.strip():
        raise DomainError({"name": _("Bitte eine Bezeichnung angeben.")})
    if expires_at is None:
        expires_at = default_expiry()
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError({"expires_at": _("Das Ablaufdatum muss in der Zukunft liegen.")})
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    for _attempt in range(5):
        prefix = secrets.token_hex(_PREFIX_BYTES)
        token = ApiToken(
            user=user,
            name=name.strip(),
            prefix=prefix,
            key_hash=_hash(secret),
            expires_at=expires_at,
            read_only=read_only,
        )
        token.full_clean(exclude=["prefix", "key_hash"])
        try:
            with transaction.atomic():
                token.save()
                audit_record(
                    actor=actor,
                    action="apitoken.create",
                    instance=token,
                    changes={
                        "user_id": user.pk,
                        "name": token.name,
                        "prefix": prefix,
                        "expires_at": expires_at.isoformat(),
                        "read_only": read_only,
                    },
                )
        except IntegrityError:  # the prefix is taken (1 in 2^48): draw again
            continue
        return token, f"{SCHEME}_{prefix}_{secret}"
    raise RuntimeError("Keine freie Kennung für den API-Schlüssel gefunden.")


def token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    """Revoke a token for good. Revoking a revoked token changes nothing."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor,
                action="apitoken.revoke",
                instance=locked,
                changes={"user_id": locked.user_id, "prefix": locked.prefix},
            )
    token.revoked_at = locked.revoked_at
    return token


def _parse(raw: str) -> tuple[str, str]:
    scheme, _sep, rest = raw.partition("_")
    prefix, _sep, secret = rest.partition("_")
    if scheme != SCHEME or len(prefix) != 2 * _PREFIX_BYTES or not secret:
        raise TokenRefused(_("Ungültiger API-Schlüssel."))
    return prefix, secret


def token_authenticate(raw: str) -> ApiToken:
    """The live token for `raw`, with its user, or TokenRefused. Queries: the token with its user;
    the stamp of `last_used_at`."""
    prefix, secret = _parse(raw)
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    # Compare digests in constant time; an unknown prefix costs the same comparison.
    stored = token.key_hash if token is not None else _hash("")
    if not hmac.compare_digest(stored, _hash(secret)) or token is None:
        raise TokenRefused(_("Ungültiger API-Schlüssel."))
    # Only the holder of the secret learns why a real token no longer works.
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRefused(_("Dieser API-Schlüssel wurde widerrufen."))
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenRefused(_("Dieser API-Schlüssel ist abgelaufen."))
    if not permissions.can_use_api_token(token.user):
        raise TokenRefused(_("Dieser Zugang ist gesperrt."))
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    return token


def token_is_live(token: ApiToken) -> bool:
    """For lists: neither revoked nor expired."""
    return token.revoked_at is None and (
        token.expires_at is None or token.expires_at > timezone.now()
    )
