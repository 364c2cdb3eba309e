"""`make bench`: every benchmark in turn, each printing its own table.

python tests/benchmarks/run_all.py [--quick]"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    "routing.py",
    "branch_day_shift.py",
    "sync.py",
    "history.py",
    "imports.py",
    "geocode_import.py",
    "pwa_budget.py",
]


def main() -> int:
    extra = sys.argv[1:]
    failed = []
    for name in BENCHMARKS:
        script = HERE / name
        if not script.exists():
            print(f"-- {name}: not present, skipped", flush=True)
            continue
        print(f"\n== {name} ==", flush=True)
        if subprocess.run([sys.executable, str(script), *extra], check=False).returncode != 0:
            failed.append(name)
    if failed:
        print(f"benchmarks that failed to run: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
