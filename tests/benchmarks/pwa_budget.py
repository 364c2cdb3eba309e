"""PWA budgets: Lighthouse (mobile) performance and accessibility scores of the served app,
and the gzip size of the JS + CSS the first load fetches.

    python tests/benchmarks/pwa_budget.py [--quick]

Needs `make install` (pwa/node_modules has lighthouse) and Chromium at /usr/bin/chromium."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from rich.console import Console
from rich.table import Table

from tests.live_server import LiveServer, cli

PWA = Path(__file__).resolve().parents[2] / "pwa"
LIGHTHOUSE = PWA / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
console = Console()


def bundle_size() -> str:
    result = subprocess.run(
        ["node", "scripts/size.mjs"], cwd=PWA, capture_output=True, text=True, check=False
    )
    return result.stdout.strip().splitlines()[-1] if result.stdout else result.stderr.strip()


def lighthouse(url: str, runs: int) -> tuple[list[float], list[float]]:
    performance, accessibility = [], []
    env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "report.json"
            subprocess.run(
                [
                    str(LIGHTHOUSE),
                    url,
                    "--quiet",
                    "--only-categories=performance,accessibility",
                    "--output=json",
                    f"--output-path={out}",
                    f"--chrome-flags={CHROME_FLAGS}",
                ],
                env=env,
                check=True,
                timeout=180,
            )
            report = json.loads(out.read_text())
        performance.append(report["categories"]["performance"]["score"])
        accessibility.append(report["categories"]["accessibility"]["score"])
    return performance, accessibility


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args, _ = parser.parse_known_args()
    table = Table(title="PWA budgets (Lighthouse mobile, medians)")
    for column in ("measure", "result", "target"):
        table.add_column(column)
    table.add_row("JS + CSS of the first load", bundle_size(), "< 120 KB gzip")
    if not LIGHTHOUSE.exists():
        table.add_row("Lighthouse", "not installed (run make install)", "")
        console.print(table)
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/lh.db"
        cli(url, "migrate")
        cli(url, "demo")
        server = LiveServer(url).start()
        try:
            performance, accessibility = lighthouse(server.url + "/", 1 if args.quick else 3)
        finally:
            server.stop()
    table.add_row(
        "performance score", f"{statistics.median(performance):.2f} {performance}", ">= 0.90"
    )
    table.add_row(
        "accessibility score",
        f"{statistics.median(accessibility):.2f} {accessibility}",
        ">= 0.95",
    )
    console.print(table)


if __name__ == "__main__":
    main()
