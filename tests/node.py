"""Run the PWA's own TypeScript in Node, for tests that compare the phone with the server.
Needs Node and the PWA's node_modules (`make install`); tests skip without them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from api.config import PROJECT_ROOT

PWA_SRC = PROJECT_ROOT / "pwa" / "src"
TSC = PROJECT_ROOT / "pwa" / "node_modules" / ".bin" / "tsc"

needs_node = pytest.mark.skipif(
    not (TSC.is_file() and shutil.which("node")),
    reason="needs node and the PWA's node_modules (make install)",
)


def compile_ts(source: Path, out: Path, *, root: Path | None = None) -> None:
    """`source` (and what it imports) as CommonJS in `out`, below `root` if given."""
    where = ["--rootDir", str(root)] if root is not None else []
    options = ["--target", "es2020", "--module", "commonjs", "--skipLibCheck", *where]
    subprocess.run(
        [str(TSC), *options, "--outDir", str(out), str(source)],
        check=True,
        capture_output=True,
    )


def run_node(script: str, cwd: Path, **files: Any) -> str:
    """Run `script` in `cwd` after writing each keyword as `<name>.json`; its stdout."""
    for name, value in files.items():
        (cwd / f"{name}.json").write_text(json.dumps(value, ensure_ascii=False))
    (cwd / "script.js").write_text(script)
    return subprocess.run(
        ["node", "script.js"], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout
