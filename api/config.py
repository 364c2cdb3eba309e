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
    # Sign-in rate limit: failures within the window, per username and per address.
    login_window_minutes: int = 15
    login_max_failures_per_user: int = 5
    login_max_failures_per_address: int = 20
    # API requests a worker runs at once (below the thread pool and connection pool sizes).
    max_concurrent_requests: int = 16
    # Sync calls a worker runs at once; the rest wait their turn in the event loop. Sync
    # calls are short and many: more of them at once only makes their threads queue for
    # the interpreter lock between database round trips (measured: tests/benchmarks/sync.py).
    max_concurrent_syncs: int = 2
    # Imports: data rows per file (a larger file answers 413: split it), row errors listed
    # in a report (all are counted in `error_count`).
    import_max_rows: int = 50_000
    import_max_errors: int = 1_000
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
