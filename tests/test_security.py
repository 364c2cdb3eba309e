import uuid
from datetime import UTC, datetime, timedelta

import pytest

from api.security import create_token, decode_token, hash_password, verify_password

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def test_password_hash_round_trip_and_rejects_wrong_password() -> None:
    hashed = hash_password("correct horse")
    assert hashed.startswith("$argon2")
    assert verify_password("correct horse", hashed)
    assert not verify_password("wrong horse", hashed)
    assert not verify_password("x", "not-a-hash")


def test_token_round_trip_carries_user_and_device() -> None:
    user, device = uuid.uuid4(), uuid.uuid4()
    token = create_token(
        user_id=user,
        token_type="access",
        secret="s" * 32,
        now=NOW,
        lifetime=timedelta(minutes=15),
        device_id=device,
    )
    claims = decode_token(token, secret="s" * 32, expected="access", now=NOW)
    assert (claims.user_id, claims.device_id) == (user, device)


@pytest.mark.parametrize(
    ("secret", "expected", "now", "reason"),
    [
        ("t" * 32, "access", NOW, "invalid token"),
        ("s" * 32, "refresh", NOW, "not an refresh token"),
        ("s" * 32, "access", NOW + timedelta(minutes=16), "token expired"),
    ],
)
def test_token_refused(secret: str, expected: str, now: datetime, reason: str) -> None:
    token = create_token(
        user_id=uuid.uuid4(),
        token_type="access",
        secret="s" * 32,
        now=NOW,
        lifetime=timedelta(minutes=15),
    )
    with pytest.raises(ValueError, match=reason):
        decode_token(token, secret=secret, expected=expected, now=now)  # type: ignore[arg-type]
