"""Sign-in with rate limiting, token refresh, users and devices."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session, col, select

from api.audit import record_manager_action, record_sign_in_event
from api.auth import throttle
from api.auth.repository import DeviceWithOwner, branch_devices, readable_devices
from api.auth.sessions import TokenPair, revoke_sessions, rotate, start_session
from api.config import Settings
from api.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PhoneBlocked,
)
from api.security import DUMMY_HASH, hash_password, verify_password
from models import Branch, Device, LoginAttempt, User
from models.enums import DeviceStatus, Role

DEMO_PASSWORDS = frozenset({"demo-manager", "demo-officer", "demo-admin"})


def login(
    *,
    session: Session,
    settings: Settings,
    username: str,
    password: str,
    address: str,
    now: datetime,
    device_id: uuid.UUID | None = None,
) -> TokenPair:
    """Check the password; every attempt is recorded (the caller must commit on failure too).
    The caller has taken a slot first (`throttle.reserve`) and committed it."""
    username = username.strip().lower()
    user = session.exec(select(User).where(User.username == username)).first()
    ok = verify_password(password, user.password_hash if user else DUMMY_HASH)
    if ok and settings.env == "production" and password in DEMO_PASSWORDS:
        ok = False
    session.add(LoginAttempt(username=username, address=address, at=now, succeeded=ok))
    throttle.settle(session, settings=settings, username=username, address=address, ok=ok, now=now)
    session.flush()
    if user is None or not ok:
        raise NotAuthenticated("Wrong user name or password.")
    if not user.is_active:
        raise NotAuthenticated("This account is disabled. Ask your branch manager.")
    if device_id is not None:
        device = session.get(Device, device_id)
        if device is None or device.user_id != user.id:
            raise Forbidden("This device is not registered to you. Register it again.")
        if device.status == DeviceStatus.revoked:
            raise NotAuthenticated("This device was revoked.")
    elif user.phone_blocked_at is not None:
        # Unbound tokens read as much as a phone's: a revoked phone's officer gets none.
        raise PhoneBlocked()
    record_sign_in_event(
        session,
        user,
        action="auth.login",
        device_id=device_id,
        now=now,
        data={"address": address},
    )
    return start_session(session, settings=settings, user=user, device_id=device_id, now=now)


def refresh(
    *, session: Session, settings: Settings, refresh_token: str, now: datetime
) -> TokenPair:
    """Rotate the refresh token (see `api.auth.sessions.rotate`)."""
    return rotate(session, settings=settings, refresh_token=refresh_token, now=now)


def create_user(
    *,
    session: Session,
    settings: Settings,
    branch_id: uuid.UUID,
    username: str,
    full_name: str,
    role: Role,
    password: str,
    phone: str = "",
) -> User:
    username = username.strip().lower()
    if not username or len(username) > 64:
        raise InvalidInput("User name must be 1 to 64 characters.")
    if len(password) < 8:
        raise InvalidInput("Password must be at least 8 characters.")
    if settings.env == "production" and password in DEMO_PASSWORDS:
        raise InvalidInput("Demo passwords are not allowed in production. Choose another.")
    if session.get(Branch, branch_id) is None:
        raise NotFound("No such branch.")
    if session.exec(select(User).where(User.username == username)).first() is not None:
        raise Conflict(f"User name '{username}' is taken.")
    user = User(
        branch_id=branch_id,
        username=username,
        full_name=full_name,
        role=role,
        password_hash=hash_password(password),
        phone=phone,
    )
    session.add(user)
    session.flush()
    return user


def register_device(
    *, session: Session, user: User, name: str, platform: str, now: datetime
) -> Device:
    if user.phone_blocked_at is not None:
        raise PhoneBlocked()
    device = Device(
        user_id=user.id, name=name.strip() or "phone", platform=platform, created_at=now
    )
    session.add(device)
    session.flush()
    record_sign_in_event(
        session,
        user,
        action="device.register",
        entity="device",
        entity_id=device.id,
        device_id=device.id,
        now=now,
        data={"name": device.name, "platform": platform},
    )
    return device


def get_branch_device(*, session: Session, manager: User, device_id: uuid.UUID) -> Device:
    """A device of the manager's branch; other branches' devices do not exist for them."""
    row = session.exec(branch_devices(manager.branch_id).where(Device.id == device_id)).first()
    if row is None:
        raise NotFound("No such device in your branch.")
    return row[0]


def set_device_status(
    *,
    session: Session,
    manager: User,
    device_id: uuid.UUID,
    status: DeviceStatus,
    now: datetime,
) -> Device:
    device = get_branch_device(session=session, manager=manager, device_id=device_id)
    if device.status == DeviceStatus.revoked and status != DeviceStatus.revoked:
        raise Conflict("A revoked device stays revoked. Register the phone again.")
    if device.status != status:
        device.status = status
        device.status_changed_at = now
        device.status_changed_by = manager.id
        session.add(device)
        _end_device_sessions(session, device=device, status=status, now=now)
        record_manager_action(
            session,
            manager,
            action=f"device.{status}",
            entity="device",
            entity_id=device.id,
            now=now,
        )
        session.flush()
    return device


def _end_device_sessions(
    session: Session, *, device: Device, status: DeviceStatus, now: datetime
) -> None:
    """Revoked: the device's sessions and the owner's device-less ones end, and the owner
    gets no new phone until a manager re-enables it. Retired: the device's sessions stay
    (it may still push its outbox) but refresh no more."""
    if status != DeviceStatus.revoked:
        return
    revoke_sessions(
        session,
        user_id=device.user_id,
        device_id=device.id,
        include_unbound=True,
        reason="device_revoked",
        now=now,
    )
    owner = session.get(User, device.user_id)
    if owner is not None and owner.phone_blocked_at is None:
        owner.phone_blocked_at = now
        session.add(owner)


def enable_phone(*, session: Session, manager: User, user_id: uuid.UUID, now: datetime) -> User:
    """Let a user whose phone was revoked sign in on a (new) phone again."""
    user = session.get(User, user_id)
    if user is None or user.branch_id != manager.branch_id:
        raise NotFound("No such user in your branch.")
    if user.phone_blocked_at is not None:
        user.phone_blocked_at = None
        session.add(user)
        record_manager_action(
            session, manager, action="user.phone_enabled", entity="user", entity_id=user.id, now=now
        )
        session.flush()
    return user


def list_devices(*, session: Session, user: User) -> list[DeviceWithOwner]:
    """The devices the user may see (`readable_devices`), by owner and age."""
    query = readable_devices(user).order_by(col(User.username), col(Device.created_at))
    return [(d, u) for d, u in session.exec(query)]
