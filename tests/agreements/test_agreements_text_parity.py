"""The phone's agreement text (pwa/src/domain/agreementText.ts) and the server's
(api/agreements/text.py) are the same for the same template, terms and people: generated
cases, both languages, odd names. Needs Node and the PWA's TypeScript compiler (`make
install`); skipped without them."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from api.agreements.text import AGREEMENT_TEMPLATES, TextValues, agreement_lang, render_text
from tests.node import PWA_SRC, compile_ts, needs_node, run_node

SOURCE = PWA_SRC / "domain" / "agreementText.ts"
COMPARE = """
const {agreementLang, agreementText} = require("./domain/agreementText.js");
const {templates, cases} = require("./cases.json");
const out = cases.map((c) => agreementText(templates, agreementLang(c.language), c.values));
process.stdout.write(JSON.stringify(out));
"""
NAMES = ["张三", "O'Brien, Mary", "=HYPERLINK(1)", "{date}", "李{x}四", "a\\nb", "", "  x  "]


def _case(rng: random.Random) -> dict[str, Any]:
    principal = rng.choice([rng.randint(1, 10**6), rng.randint(1, 10**12)])
    down = rng.choice([0, rng.randint(0, principal)])
    count = rng.randint(1, 24)
    start = date(2020, 1, 1) + timedelta(days=rng.randint(0, 8000))
    lines = [
        {"seq": i + 1, "due_date": (start + timedelta(days=30 * i)).isoformat(), "amount_fen": a}
        for i, a in enumerate(rng.randint(1, 10**9) for _ in range(count))
    ]
    return {
        "language": rng.choice(["zh-CN", "en", "EN-us", "ug", None]),
        "values": {
            "borrowerName": rng.choice(NAMES),
            "nationalIdMasked": f"{rng.randint(100000, 999999)}********{rng.randint(10, 99)}X",
            "loanAccount": str(rng.randint(10**11, 10**12)),
            "branchName": rng.choice(["德州临邑支行", "Branch {name}"]),
            "officerName": rng.choice(NAMES),
            "principalFen": principal,
            "downPaymentFen": down,
            "lines": lines,
            "date": (start - timedelta(days=rng.randint(0, 40))).isoformat(),
        },
    }


def _server(case: dict[str, Any]) -> str:
    v = case["values"]
    values = TextValues(
        borrower_name=v["borrowerName"],
        national_id_masked=v["nationalIdMasked"],
        loan_account=v["loanAccount"],
        branch_name=v["branchName"],
        officer_name=v["officerName"],
        principal_fen=v["principalFen"],
        down_payment_fen=v["downPaymentFen"],
        lines=[(date.fromisoformat(x["due_date"]), x["amount_fen"]) for x in v["lines"]],
        signed_on=date.fromisoformat(v["date"]),
    )
    return render_text(values, agreement_lang(case["language"]))


@needs_node
def test_phone_and_server_render_the_same_text(tmp_path: Path) -> None:
    compile_ts(SOURCE, tmp_path, root=SOURCE.parent.parent)
    rng = random.Random(20261123)
    cases = [_case(rng) for _ in range(500)]
    payload = {"templates": AGREEMENT_TEMPLATES, "cases": cases}
    phone = json.loads(run_node(COMPARE, tmp_path, cases=payload))
    different = [
        (case, got, _server(case))
        for case, got in zip(cases, phone, strict=True)
        if got != _server(case)
    ]
    assert not different, different[:2]
    assert any("首付" in text for text in phone) and any("No. 1" in text for text in phone)
