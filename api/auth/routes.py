"""Sign-in, token refresh, the current user and devices."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm

from api.auth import service, sessions, throttle
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


def _token_response(pair: sessions.TokenPair) -> TokenResponse:
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
    username = form.username.strip().lower()
    try:
        throttle.reserve(session, settings=settings, username=username, address=address, now=now)
    except DomainError as exc:
        return error_response(exc)
    # The slot is committed before the slow password check: parallel attempts see it.
    session.commit()
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


@router.post(
    "/auth/refresh",
    operation_id="auth-refresh",
    response_model=TokenResponse,
    responses={401: {}},
)
def refresh_token(
    body: RefreshRequest, session: SessionDep, settings: SettingsDep, now: ClockDep
) -> TokenResponse | JSONResponse:
    """Spend the refresh token for a new pair: keep the new refresh token, the old one is
    spent. Presenting a spent one ends the session (401)."""
    try:
        pair = service.refresh(
            session=session, settings=settings, refresh_token=body.refresh_token, now=now
        )
    except DomainError as exc:
        # Returned, not raised: ending a session on reuse must be committed.
        return error_response(exc)
    return _token_response(pair)


@router.post("/auth/sign-out", operation_id="auth-sign-out", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(
    body: RefreshRequest, session: SessionDep, settings: SettingsDep, now: ClockDep
) -> None:
    """End the session of this refresh token (its access tokens stop working too)."""
    sessions.end_session(session, settings=settings, refresh_token=body.refresh_token, now=now)


@router.post(
    "/users/{user_id}/phone/enable",
    operation_id="users-enable-phone",
    response_model=UserPublic,
)
def enable_phone(
    user_id: uuid.UUID, manager: CurrentManager, session: SessionDep, now: ClockDep
) -> UserPublic:
    """After a revoke, let the officer register a (new) phone and sign in on it again."""
    user = service.enable_phone(session=session, manager=manager, user_id=user_id, now=now)
    return _user_public(user)


@router.get("/users/me", operation_id="users-me", response_model=UserPublic)
def read_me(user: CurrentUser) -> UserPublic:
    return _user_public(user)


def _device_public(device: Device, owner: User) -> DevicePublic:
    return from_record(
        DevicePublic,
        device,
        device_id=device.id,
        username=owner.username,
        owner_phone_blocked=owner.phone_blocked_at is not None,
    )


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
    return _device_public(device, user)


@router.get("/devices", operation_id="devices-list", response_model=list[DevicePublic])
def list_devices(user: CurrentUser, session: SessionDep) -> list[DevicePublic]:
    return [_device_public(d, u) for d, u in service.list_devices(session=session, user=user)]


class DeviceDecision:
    """A manager's decision on one device of their branch (revoke or retire)."""

    def __init__(
        self, device_id: uuid.UUID, manager: CurrentManager, session: SessionDep, now: ClockDep
    ) -> None:
        self.device_id, self.manager, self.session, self.now = device_id, manager, session, now

    def __call__(self, status: DeviceStatus) -> DevicePublic:
        device = service.set_device_status(
            session=self.session,
            manager=self.manager,
            device_id=self.device_id,
            status=status,
            now=self.now,
        )
        owner = self.session.get(User, device.user_id)
        assert owner is not None  # the device was found through its owner
        return _device_public(device, owner)


DeviceDecisionDep = Annotated[DeviceDecision, Depends()]


@router.post(
    "/devices/{device_id}/revoke", operation_id="devices-revoke", response_model=DevicePublic
)
def revoke_device(decide: DeviceDecisionDep) -> DevicePublic:
    """Lost or stolen phone: every later call from it answers 401 DeviceRevoked with wipe."""
    return decide(DeviceStatus.revoked)


@router.post(
    "/devices/{device_id}/retire", operation_id="devices-retire", response_model=DevicePublic
)
def retire_device(decide: DeviceDecisionDep) -> DevicePublic:
    """New phone for the officer: the old one may still push, then its next pull wipes it."""
    return decide(DeviceStatus.retired)
