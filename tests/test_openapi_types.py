"""The PWA's committed copy of the API schema is the app's current schema.

The TypeScript client types (pwa/src/api/schema.d.ts) are generated from that copy, and a
vitest test checks they match it; this test closes the loop on the server's side.
"""

from __future__ import annotations

import json
from pathlib import Path

from api.openapi_dump import SCHEMA_PATH, current_schema, main, render

FIX = "run `make api-types` and commit pwa/src/api/openapi.json and pwa/src/api/schema.d.ts"


def test_committed_schema_is_the_apps_schema() -> None:
    committed = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert committed == current_schema(), f"The API schema changed: {FIX}."


def test_committed_schema_is_rendered_as_the_dump_writes_it() -> None:
    # Byte for byte, so regenerating never leaves a diff of formatting only.
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render(current_schema()), FIX


def test_dump_writes_the_schema_to_a_given_path(tmp_path: Path) -> None:
    out = tmp_path / "nested" / "openapi.json"
    main([str(out)])
    schema = json.loads(out.read_text(encoding="utf-8"))
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/plans" in schema["paths"]
