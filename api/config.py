"""Settings from the environment (prefix FIELDVISIT_)."""

from __future__ import annotations

import contextlib
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Keys published in this repository's history: a token signed with one could be forged by
# anyone, so the server refuses to run with them.
KNOWN_SECRETS = frozenset({"dev-only-secret-change-me-0123456789abcdef"})
SECRET_FILE = "secret_key"
MIN_SECRET_LENGTH = 32
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def load_or_create_secret(var_dir: Path) -> str:
    """The server's own signing key, kept in `var_dir/secret_key` (mode 0600): made once
    with 48 random bytes, then read back on every start (so tokens survive restarts, and
    every worker and command of this installation uses the same key). Creation is atomic:
    workers starting together end up with one key."""
    path = var_dir / SECRET_FILE
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        scratch = var_dir / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(scratch, path)  # fails if another process made it first: theirs wins
        except FileExistsError:
            pass
        finally:
            scratch.unlink()
    if path.stat().st_mode & 0o077:
        with contextlib.suppress(OSError):
            path.chmod(0o600)
    key = path.read_text().strip()
    if len(key) < MIN_SECRET_LENGTH:
        raise ValueError(f"{path} holds no usable key: delete it and start again")
    return key


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FIELDVISIT_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/fieldvisit.db"
    # Empty: the key kept in var_dir (made on first use). Set it when several machines
    # serve the same database.
    secret_key: str = ""
    # The server's own files: the generated signing key (FIELDVISIT_VAR_DIR).
    var_dir: Path = Path("var")
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
    # Imports: data rows per file (a larger file answers 413: split it), row errors listed
    # in a report (all are counted in `error_count`).
    import_max_rows: int = 50_000
    import_max_errors: int = 1_000
    # Geocoding (api/geo): provider, its base URL (empty: the provider's public one), key,
    # requests per second (AMap's free quota allows 3) and timeout in seconds.
    geocoder: Literal["none", "amap", "tianditu"] = "none"
    geocoder_url: str = ""
    geocoder_key: str = ""
    geocoder_rate: float = Field(default=3.0, gt=0, le=1000)
    geocoder_timeout: float = Field(default=5.0, gt=0, le=60)
    pwa_dist: Path = PROJECT_ROOT / "pwa" / "dist"
    # Travel model for planning and /routing/solve (README "Travel model"): straight lines
    # with the branch's detour factor and road speeds, or an OSRM server's table service.
    travel: Literal["haversine", "osrm"] = "haversine"
    osrm_url: str = ""
    osrm_timeout_s: float = Field(10.0, gt=0, le=120)
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _never_a_known_key(self) -> Settings:
        """In every mode: no key given means the installation's own random key; a key from
        this repository or a short one is refused."""
        if not self.secret_key:
            self.secret_key = load_or_create_secret(self.var_dir)
        if self.secret_key in KNOWN_SECRETS:
            raise ValueError(
                "FIELDVISIT_SECRET_KEY is the development key published in the repository; "
                "unset it (the server then makes its own) or set a random one"
            )
        if len(self.secret_key) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"FIELDVISIT_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters"
            )
        return self

    @model_validator(mode="after")
    def _osrm_needs_an_address(self) -> Settings:
        if self.travel == "osrm" and not self.osrm_url.startswith(("http://", "https://")):
            raise ValueError("FIELDVISIT_TRAVEL=osrm needs FIELDVISIT_OSRM_URL (http(s)://...)")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
