"""Typed dependency aliases: routes read like plain functions."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, overload

from fastapi import Depends, Header
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import and_
from sqlmodel import Session, col, select

from api.config import Settings, get_settings
from api.db import get_session
from api.errors import DeviceRetired, DeviceRevoked, Forbidden, NotAuthenticated
from api.security import decode_token
from models import AuthSession, Branch, Device, User
from models.enums import DeviceStatus, Role

# scope="function": commit before the response is sent, so a 200 means "stored".
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def settings_dependency() -> Settings:
    # async: FastAPI runs plain functions in a thread, a needless hop for a cached value.
    return get_settings()


SettingsDep = Annotated[Settings, Depends(settings_dependency)]


async def get_now() -> datetime:
    # async: FastAPI runs plain functions in a thread, a needless hop for a clock read.
    return datetime.now(UTC)


ClockDep = Annotated[datetime, Depends(get_now)]

CALLER_ROWS = "caller_rows"
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


@overload
def check_device(
    session: Session, *, user: User, device_id: uuid.UUID, lock: bool = False
) -> Device: ...
@overload
def check_device(
    session: Session, *, user: User, device_id: uuid.UUID | None, lock: bool = False
) -> Device | None: ...
def check_device(
    session: Session, *, user: User, device_id: uuid.UUID | None, lock: bool = False
) -> Device | None:
    """A revoked device is refused on every call; a device must belong to the caller.
    `lock`: hold the device row until the commit (SELECT ... FOR UPDATE), so two pushes
    from one phone (a retry racing the original) never interleave."""
    if device_id is None:
        return None
    if lock:
        # populate_existing: the sign-in check read this row before the lock was taken.
        locked = (
            select(Device)
            .where(Device.id == device_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        device = session.exec(locked).first()
    else:
        device = session.get(Device, device_id)  # the sign-in check has loaded it
    if device is None or device.user_id != user.id:
        raise Forbidden("This device is not registered to you. Register it again.")
    if device.status == DeviceStatus.revoked:
        raise DeviceRevoked()
    return device


def _check_session(
    auth: AuthSession | None, *, session_id: uuid.UUID | None, now: datetime
) -> None:
    """The token's sign-in must still be live: not signed out, revoked or over its age."""
    if session_id is None:
        raise NotAuthenticated("Sign in again (this token predates session tracking).")
    if auth is None or auth.revoked_at is not None:
        raise NotAuthenticated("This session ended (signed out or revoked). Sign in again.")
    if auth.expires_at <= now:
        raise NotAuthenticated("This session reached its maximum length. Sign in again.")


def _authenticate(
    session: Session,
    settings: Settings,
    now: datetime,
    token: str | None,
    x_device_id: str | None,
    *,
    allow_retired: bool,
) -> User:
    if not token:
        raise NotAuthenticated()
    try:
        claims = decode_token(token, secret=settings.secret_key, expected="access", now=now)
    except ValueError as exc:
        raise NotAuthenticated(f"Sign in again ({exc}).") from exc
    # One round trip: the branch (nearly every endpoint needs it), the sign-in session and
    # the token's device come along with the user.
    found = session.exec(
        select(User, Branch, AuthSession, Device)
        .join(Branch, col(Branch.id) == User.branch_id)
        .outerjoin(
            AuthSession,
            and_(col(AuthSession.id) == claims.session_id, col(AuthSession.user_id) == User.id),
        )
        .outerjoin(Device, col(Device.id) == claims.device_id)
        .where(User.id == claims.user_id)
    ).first()
    if found is None or not found[0].is_active:
        raise NotAuthenticated("This account is disabled. Ask your branch manager.")
    user, branch, auth, _token_device = found  # held: `check_device` finds it in the map
    header_device: uuid.UUID | None = None
    if x_device_id:
        try:
            header_device = uuid.UUID(x_device_id)
        except ValueError as exc:
            raise NotAuthenticated("X-Device-Id is not a device id.") from exc
    devices = [
        check_device(session, user=user, device_id=device_id)
        for device_id in {claims.device_id, header_device} - {None}
    ]
    _check_session(auth, session_id=claims.session_id, now=now)
    if not allow_retired and any(
        d is not None and d.status == DeviceStatus.retired for d in devices
    ):
        raise DeviceRetired()
    # The identity map holds unchanged rows weakly: kept here for the request, the
    # caller's branch and device answer later `session.get` calls without a query.
    session.info[CALLER_ROWS] = (branch, devices)
    return user


def _user_dependency(*, allow_retired: bool, doc: str) -> Callable[..., User]:
    """The sign-in check as a dependency; only sync lets a retired phone through."""

    def dependency(
        session: SessionDep,
        settings: SettingsDep,
        now: ClockDep,
        token: Annotated[str | None, Depends(oauth2_scheme)],
        x_device_id: Annotated[str | None, Header()] = None,
    ) -> User:
        return _authenticate(
            session, settings, now, token, x_device_id, allow_retired=allow_retired
        )

    dependency.__doc__ = doc
    return dependency


get_current_user = _user_dependency(
    allow_retired=False, doc="The signed-in user; a retired phone is refused (403 DeviceRetired)."
)
get_sync_user = _user_dependency(
    allow_retired=True,
    doc="The signed-in user for sync: a retired phone may still push, and pull to be wiped.",
)

SyncUser = Annotated[User, Depends(get_sync_user)]
CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_current_branch(user: CurrentUser, session: SessionDep) -> Branch:
    """The caller's branch: loaded with the user, so this costs no query."""
    branch, _devices = session.info[CALLER_ROWS]
    assert isinstance(branch, Branch) and branch.id == user.branch_id
    return branch


CurrentBranch = Annotated[Branch, Depends(get_current_branch)]


def get_current_officer(user: CurrentUser) -> User:
    if user.role != Role.officer:
        raise Forbidden("Only field officers can do this.")
    return user


def get_current_manager(user: CurrentUser) -> User:
    if user.role not in (Role.manager, Role.admin):
        raise Forbidden("Only a branch manager can do this.")
    return user


CurrentOfficer = Annotated[User, Depends(get_current_officer)]
CurrentManager = Annotated[User, Depends(get_current_manager)]


def get_manager_for_long_work(manager: CurrentManager, session: SessionDep) -> User:
    """A manager check for endpoints that compute for seconds and write nothing: the read
    transaction of the sign-in check ends here (on SQLite it holds the write lock)."""
    session.commit()
    return manager


ManagerForLongWork = Annotated[User, Depends(get_manager_for_long_work)]
