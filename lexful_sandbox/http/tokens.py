"""Bearer tokens: stateless, HMAC-signed, carrying account, user and expiry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from lexful_sandbox.common.errors import ApiError
from lexful_sandbox.common.util import format_ms
from sandbox_core.presign import same_digest

PREFIX = "lxt."


@dataclass(frozen=True)
class Claims:
    """What a token says: whose it is. ``deps.authenticate`` checks it against the request."""

    account_id: str
    user_id: str


def _mac(key: bytes, payload: str) -> str:
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def issue(key: bytes, claims: Claims, ttl_s: float) -> dict[str, object]:
    expires_ms = int((time.time() + ttl_s) * 1000)
    raw = f"{claims.account_id}|{claims.user_id}|{expires_ms}|{secrets.token_hex(8)}"
    payload = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    expires_in = int(ttl_s) if float(ttl_s).is_integer() else ttl_s
    return {
        "token": f"{PREFIX}{payload}.{_mac(key, payload)}",
        "token_type": "Bearer",
        "expires_in": expires_in,
        "expires_at": format_ms(expires_ms),
    }


def unauthorized(message: str) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": "Bearer"})


def verify(key: bytes, token: str) -> Claims:
    """The claims of a valid token; 401 for malformed, forged or expired tokens."""
    if not token.startswith(PREFIX) or token.count(".") != 2:
        raise unauthorized("malformed token")
    payload, mac = token[len(PREFIX) :].split(".")
    if not same_digest(_mac(key, payload), mac):
        raise unauthorized("invalid token")
    padded = payload + "=" * (-len(payload) % 4)
    account_id, user_id, expires_ms, _ = base64.urlsafe_b64decode(padded).decode().split("|")
    if time.time() * 1000 >= int(expires_ms):
        raise unauthorized("token has expired")
    return Claims(account_id, user_id)
