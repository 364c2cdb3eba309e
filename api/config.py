"""Settings from the environment (prefix FIELDVISIT_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "dev-only-secret-change-me-0123456789abcdef"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FIELDVISIT_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/fieldvisit.db"
    secret_key: str = DEFAULT_SECRET
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    # A sign-in ends this long after it started, however often its tokens were refreshed.
    session_max_days: int = 30
    # Sign-in throttling (api/auth/throttle.py): failures within the window per user at an
    # address and per address; past `login_user_backoff_after` failures of a user anywhere,
    # addresses that failed for them back off exponentially.
    login_window_minutes: int = 15
    login_max_failures_per_user_address: int = 5
    login_max_failures_per_address: int = 50
    login_user_backoff_after: int = 10
    # API requests a worker runs at once (below the thread pool and connection pool sizes).
    max_concurrent_requests: int = 16
    # Sync calls a worker runs at once; the rest wait their turn in the event loop. Sync
    # calls are short and many: more of them at once only makes their threads queue for
    # the interpreter lock between database round trips (measured: tests/benchmarks/sync.py).
    max_concurrent_syncs: int = 2
    pwa_dist: Path = PROJECT_ROOT / "pwa" / "dist"
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _refuse_default_secret_outside_development(self) -> Settings:
        if self.env == "production" and self.secret_key == DEFAULT_SECRET:
            raise ValueError("FIELDVISIT_SECRET_KEY must be set in production")
        if self.env == "production" and len(self.secret_key) < 32:
            raise ValueError("FIELDVISIT_SECRET_KEY must be at least 32 characters")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
