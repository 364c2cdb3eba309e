"""Password hashing and JWTs: pure functions, no database. Shared by `deps` (every request
checks a token) and `auth` (sign-in issues them), so it belongs to neither."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import jwt
from pwdlib import PasswordHash

ALGORITHM = "HS256"
TokenType = Literal["access", "refresh"]

_hasher = PasswordHash.recommended()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return _hasher.verify(password, password_hash)
    except Exception:  # a malformed stored hash is a failed sign-in, not a 500
        return False


# Verifying against this keeps the time of "unknown user" equal to "wrong password".
DUMMY_HASH = hash_password("timing-equaliser")


@dataclass(frozen=True)
class TokenClaims:
    user_id: uuid.UUID
    token_type: TokenType
    device_id: uuid.UUID | None
    expires_at: datetime
    # The sign-in (auth_session row) the token belongs to, and for a refresh token its
    # place in the rotation. None/0 only in tokens issued before sessions existed.
    session_id: uuid.UUID | None = None
    generation: int = 0


def create_token(
    *,
    user_id: uuid.UUID,
    token_type: TokenType,
    secret: str,
    now: datetime,
    lifetime: timedelta,
    device_id: uuid.UUID | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    payload: dict[str, Any] = {
        "sub": str(user_id),
        "typ": token_type,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    if device_id is not None:
        payload["did"] = str(device_id)
    if extra:
        payload.update(extra)
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def decode_token(token: str, *, secret: str, expected: TokenType, now: datetime) -> TokenClaims:
    """Raises ValueError with a plain reason when the token cannot be used."""
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "verify_iat": False, "require": ["sub", "typ", "exp"]},
        )
    except jwt.PyJWTError as exc:
        raise ValueError("invalid token") from exc
    if payload.get("typ") != expected:
        raise ValueError(f"not an {expected} token")
    expires_at = datetime.fromtimestamp(int(payload["exp"]), tz=now.tzinfo)
    # Checked against the injected clock so tests can move time.
    if expires_at <= now:
        raise ValueError("token expired")
    try:
        user_id = uuid.UUID(str(payload["sub"]))
        device_id = uuid.UUID(str(payload["did"])) if payload.get("did") else None
        session_id = uuid.UUID(str(payload["sid"])) if payload.get("sid") else None
        generation = int(payload.get("gen", 0))
    except (TypeError, ValueError) as exc:
        raise ValueError("invalid token") from exc
    return TokenClaims(user_id, expected, device_id, expires_at, session_id, generation)
