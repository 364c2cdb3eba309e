"""Sign-in sessions: every token pair belongs to an `auth_session` row. Refresh tokens
rotate (each refresh answers a new one and the old one is spent); presenting a spent one
is reuse, which revokes the whole session (whoever holds the newer token is signed out
too). A session ends at its absolute lifetime whatever the refreshes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col, select

from api.audit import record_sign_in_event
from api.config import Settings
from api.errors import DeviceRevoked, NotAuthenticated
from api.security import TokenType, create_token, decode_token
from models import AuthSession, Device, User
from models.enums import DeviceStatus


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User


def _pair(settings: Settings, user: User, auth: AuthSession, now: datetime) -> TokenPair:
    """Tokens for `auth` at its current generation; neither outlives the session."""
    access_lifetime = min(timedelta(minutes=settings.access_token_minutes), auth.expires_at - now)
    refresh_lifetime = min(timedelta(days=settings.refresh_token_days), auth.expires_at - now)
    common = {"sid": str(auth.id)}

    def token(kind: TokenType, lifetime: timedelta, extra: dict[str, Any]) -> str:
        return create_token(
            user_id=user.id,
            token_type=kind,
            secret=settings.secret_key,
            now=now,
            lifetime=lifetime,
            device_id=auth.device_id,
            extra={**common, **extra},
        )

    return TokenPair(
        access_token=token(
            "access", access_lifetime, {"role": str(user.role), "bid": str(user.branch_id)}
        ),
        refresh_token=token("refresh", refresh_lifetime, {"gen": auth.generation}),
        expires_in=int(access_lifetime.total_seconds()),
        user=user,
    )


def start_session(
    session: Session,
    *,
    settings: Settings,
    user: User,
    device_id: uuid.UUID | None,
    now: datetime,
) -> TokenPair:
    """A new sign-in: a session row and its first token pair."""
    auth = AuthSession(
        user_id=user.id,
        device_id=device_id,
        created_at=now,
        expires_at=now + timedelta(days=settings.session_max_days),
    )
    session.add(auth)
    session.flush()
    return _pair(settings, user, auth, now)


def _revoke(session: Session, auth: AuthSession, *, reason: str, now: datetime) -> None:
    auth.revoked_at = now
    auth.revoked_reason = reason
    session.add(auth)
    session.flush()


def rotate(session: Session, *, settings: Settings, refresh_token: str, now: datetime) -> TokenPair:
    """Spend `refresh_token` for a new pair. A spent token revokes its session (and that
    revocation must be committed even though the caller answers 401)."""
    try:
        claims = decode_token(
            refresh_token, secret=settings.secret_key, expected="refresh", now=now
        )
    except ValueError as exc:
        raise NotAuthenticated(f"Sign in again ({exc}).") from exc
    if claims.session_id is None:
        raise NotAuthenticated("Sign in again (this token predates session tracking).")
    # Locked: two refreshes with one token must not both be answered.
    auth = session.exec(
        select(AuthSession)
        .where(AuthSession.id == claims.session_id, AuthSession.user_id == claims.user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if auth is not None and auth.device_id is not None:
        device = session.get(Device, auth.device_id)
        if device is None or device.status == DeviceStatus.revoked:
            raise DeviceRevoked()  # the phone erases what it holds
    if auth is None or auth.revoked_at is not None:
        raise NotAuthenticated("This session ended (signed out or revoked). Sign in again.")
    if auth.expires_at <= now:
        raise NotAuthenticated("This session reached its maximum length. Sign in again.")
    user = session.get(User, claims.user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated("This account is disabled. Ask your branch manager.")
    if claims.generation != auth.generation:
        _revoke(session, auth, reason="refresh_reuse", now=now)
        record_sign_in_event(
            session,
            user,
            action="auth.refresh_reuse",
            device_id=auth.device_id,
            now=now,
            data={"session_id": str(auth.id), "generation": claims.generation},
        )
        raise NotAuthenticated(
            "This sign-in was used from two places, so it was ended. Sign in again."
        )
    _check_device_may_refresh(session, auth)
    auth.generation += 1
    auth.refreshed_at = now
    session.add(auth)
    session.flush()
    return _pair(settings, user, auth, now)


def _check_device_may_refresh(session: Session, auth: AuthSession) -> None:
    device = session.get(Device, auth.device_id) if auth.device_id else None
    if device is not None and device.status == DeviceStatus.retired:
        raise NotAuthenticated(
            "This phone was retired. Sign in again on it only to send what it still holds."
        )


def end_session(session: Session, *, settings: Settings, refresh_token: str, now: datetime) -> None:
    """Sign-out: the session of `refresh_token` ends (an unusable token is no error)."""
    try:
        claims = decode_token(
            refresh_token, secret=settings.secret_key, expected="refresh", now=now
        )
    except ValueError:
        return
    if claims.session_id is None:
        return
    auth = session.get(AuthSession, claims.session_id)
    if auth is not None and auth.user_id == claims.user_id and auth.revoked_at is None:
        _revoke(session, auth, reason="signed_out", now=now)


def revoke_sessions(
    session: Session,
    *,
    user_id: uuid.UUID,
    device_id: uuid.UUID,
    include_unbound: bool,
    reason: str,
    now: datetime,
) -> int:
    """End the live sessions of a device (and, with `include_unbound`, the user's sessions
    that were signed in without a device). Returns how many ended."""
    owned = col(AuthSession.device_id) == device_id
    if include_unbound:
        owned = owned | col(AuthSession.device_id).is_(None)
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(AuthSession)
        .where(
            col(AuthSession.user_id) == user_id,
            col(AuthSession.revoked_at).is_(None),
            owned,
        )
        .values(revoked_at=now, revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return int(result.rowcount or 0)
