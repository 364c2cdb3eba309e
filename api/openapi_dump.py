"""The API's OpenAPI schema as a file, without a server or a database.

The PWA's client types are generated from this file (`make api-types`); a test compares it
with the current app's schema, so a route whose shape changes fails until the types follow.

    python -m api.openapi_dump [path]     (default: pwa/src/api/openapi.json)
"""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path
from typing import Any

from api.config import PROJECT_ROOT, Settings
from api.main import create_app

SCHEMA_PATH = PROJECT_ROOT / "pwa" / "src" / "api" / "openapi.json"


def current_schema() -> dict[str, Any]:
    """The schema `create_app` serves at /openapi.json (no database is opened)."""
    # The PWA's files are served outside the schema, so a built or missing dist is the same.
    # A throwaway key: nothing is signed, and no key file is made.
    settings = Settings(env="test", database_url="sqlite://", secret_key=secrets.token_urlsafe(32))
    return create_app(settings).openapi()


def render(schema: dict[str, Any]) -> str:
    """The committed text: stable key order, readable diffs, a final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Write the current schema to the path given (or the PWA's copy)."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else SCHEMA_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(current_schema()), encoding="utf-8")
    print(f"OpenAPI schema written to {path}")


if __name__ == "__main__":
    main()
