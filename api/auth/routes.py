"""Sign-in, token refresh, the current user and devices."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm
from sqlmodel import Session

from api.auth import service
from api.auth.schemas import (
    DeviceCreate,
    DevicePublic,
    RefreshRequest,
    TokenResponse,
    UserPublic,
)
from api.deps import ClockDep, CurrentManager, CurrentUser, SessionDep, SettingsDep
from api.errors import DomainError, InvalidInput, error_response
from api.public import from_record
from models import Device, User
from models.enums import DeviceStatus

router = APIRouter(tags=["auth"])


MAX_USERNAME = 64  # models.org.User.username


def _unusable_username(username: str) -> str | None:
    """Why a user name cannot be looked up (it could never match a user), or None."""
    if len(username) > MAX_USERNAME:
        return f"username: at most {MAX_USERNAME} characters; check the user name."
    if "\x00" in username:
        return "username: must not contain a NUL character; check the user name."
    return None


def _user_public(user: User) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


def _token_response(pair: service.TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        user=_user_public(pair.user),
    )


@router.post(
    "/auth/token",
    operation_id="auth-token",
    response_model=TokenResponse,
    responses={401: {}, 429: {}},
)
def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: ClockDep,
) -> TokenResponse | JSONResponse:
    """OAuth2 password flow. `client_id` may name this user's registered device."""
    refused = _unusable_username(form.username)
    if refused is not None:
        return error_response(InvalidInput(refused))
    device_id = None
    if form.client_id:
        try:
            device_id = uuid.UUID(form.client_id)
        except ValueError:
            return error_response(InvalidInput("client_id must be a device id."))
    address = request.client.host if request.client else "unknown"
    try:
        pair = service.login(
            session=session,
            settings=settings,
            username=form.username,
            password=form.password,
            address=address,
            now=now,
            device_id=device_id,
        )
    except DomainError as exc:
        # Returned, not raised: the failed attempt must be committed for rate limiting.
        return error_response(exc)
    return _token_response(pair)


@router.post("/auth/refresh", operation_id="auth-refresh", response_model=TokenResponse)
def refresh_token(
    body: RefreshRequest, session: SessionDep, settings: SettingsDep, now: ClockDep
) -> TokenResponse:
    pair = service.refresh(
        session=session, settings=settings, refresh_token=body.refresh_token, now=now
    )
    return _token_response(pair)


@router.get("/users/me", operation_id="users-me", response_model=UserPublic)
def read_me(user: CurrentUser) -> UserPublic:
    return _user_public(user)


def _device_public(device: Device, username: str) -> DevicePublic:
    return from_record(DevicePublic, device, device_id=device.id, username=username)


@router.post(
    "/devices",
    operation_id="devices-register",
    response_model=DevicePublic,
    status_code=status.HTTP_201_CREATED,
)
def register_device(
    body: DeviceCreate, user: CurrentUser, session: SessionDep, now: ClockDep
) -> DevicePublic:
    device = service.register_device(
        session=session, user=user, name=body.name, platform=body.platform, now=now
    )
    return _device_public(device, user.username)


@router.get("/devices", operation_id="devices-list", response_model=list[DevicePublic])
def list_devices(user: CurrentUser, session: SessionDep) -> list[DevicePublic]:
    return [
        _device_public(d, u.username) for d, u in service.list_devices(session=session, user=user)
    ]


def _set_status(
    session: Session, manager: User, device_id: uuid.UUID, status: DeviceStatus, now: datetime
) -> DevicePublic:
    device = service.set_device_status(
        session=session, manager=manager, device_id=device_id, status=status, now=now
    )
    owner = session.get(User, device.user_id)
    return _device_public(device, owner.username if owner else "")


@router.post(
    "/devices/{device_id}/revoke", operation_id="devices-revoke", response_model=DevicePublic
)
def revoke_device(
    device_id: uuid.UUID, manager: CurrentManager, session: SessionDep, now: ClockDep
) -> DevicePublic:
    """Lost or stolen phone: every later call from it answers 401 DeviceRevoked with wipe."""
    return _set_status(session, manager, device_id, DeviceStatus.revoked, now)


@router.post(
    "/devices/{device_id}/retire", operation_id="devices-retire", response_model=DevicePublic
)
def retire_device(
    device_id: uuid.UUID, manager: CurrentManager, session: SessionDep, now: ClockDep
) -> DevicePublic:
    """New phone for the officer: the old one may still push, then its next pull wipes it."""
    return _set_status(session, manager, device_id, DeviceStatus.retired, now)
