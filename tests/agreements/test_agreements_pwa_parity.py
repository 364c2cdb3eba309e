"""The phone's calculator (pwa/src/domain/schedule.ts) and the server's plan maths agree on
the same inputs: the same lines, dates and refusals. Needs Node and the PWA's TypeScript
compiler (`make install`); skipped without them."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from api.agreements.plan import FREQUENCIES, ScheduleError, build_schedule
from tests.node import PWA_SRC, compile_ts, needs_node, run_node

SOURCE = PWA_SRC / "domain" / "schedule.ts"
COMPARE = """
const {buildSchedule} = require("./schedule.js");
const cases = require("./cases.json");
const out = cases.map((c) => {
  const r = buildSchedule(c);
  return r.ok ? {ok: true, lines: r.lines.map((l) => [l.seq, l.due_date, l.amount_fen])}
              : {ok: false, error: r.error};
});
process.stdout.write(JSON.stringify(out));
"""


def _cases(n: int) -> list[dict[str, Any]]:
    rng = random.Random(20261123)
    cases = []
    for _ in range(n):
        count = rng.randint(1, 61)
        amount = rng.choice([rng.randint(1, 10**6), rng.randint(1, 10**11)])
        first = date(2020, 1, 1) + timedelta(days=rng.randint(0, 8000))
        if rng.random() < 0.3:  # month ends: the clamping cases
            first = date(rng.randint(2020, 2040), rng.choice([1, 3, 5, 8, 10, 12]), 31)
        cases.append(
            {
                "amountFen": amount,
                "downPaymentFen": rng.randint(0, amount),
                "count": count,
                "frequency": rng.choice(FREQUENCIES),
                "firstDate": first.isoformat(),
            }
        )
    return cases


def _server(case: dict[str, Any]) -> dict[str, Any]:
    try:
        schedule = build_schedule(
            amount_fen=case["amountFen"],
            down_payment_fen=case["downPaymentFen"],
            count=case["count"],
            frequency=case["frequency"],
            first_due=date.fromisoformat(case["firstDate"]),
        )
    except ScheduleError as exc:
        return {"ok": False, "error": exc.code}
    return {
        "ok": True,
        "lines": [
            [line.seq, line.due_date.isoformat(), line.amount_fen] for line in schedule.lines
        ],
    }


@needs_node
def test_phone_and_server_build_the_same_schedules(tmp_path: Path) -> None:
    compile_ts(SOURCE, tmp_path)
    cases = _cases(2000)
    phone = json.loads(run_node(COMPARE, tmp_path, cases=cases))
    different = [
        (case, got, _server(case))
        for case, got in zip(cases, phone, strict=True)
        if got != _server(case)
    ]
    assert not different, different[:3]
    assert sum(1 for got in phone if got["ok"]) > 1000  # mostly real schedules, not refusals
