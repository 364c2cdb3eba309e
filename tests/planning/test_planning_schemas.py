"""The plan's summary as a model: what plans have always stored and sent reads and writes
back byte for byte."""

from __future__ import annotations

import json
from typing import Any

from api.planning.schemas import PlanSummary, PlanSummaryItem

A, B, C = (f"00000000-0000-4000-8000-00000000000{k}" for k in range(3))
V1, V2 = "00000000-0000-4000-8000-0000000000a1", "00000000-0000-4000-8000-0000000000a2"

# A summary as plans stored it before the models (an optimised plan: one visit left over).
STORED: dict[str, Any] = {
    "routes": [
        {
            "officer_ids": [A, B],
            "lead_id": A,
            "visit_ids": [V1],
            "stops": 1,
            "distance_m": 24078,
            "duration_s": 12490,
            "start_at": "2026-11-24T02:00:00+00:00",
            "end_at": "2026-11-24T05:28:10.500000+00:00",
            "clerk_distance_m": 37513,
            "saved_m": 13435,
            "saved_km": 13.4,
            "clerk_late_visits": 0,
            "clerk_order_kept": False,
        },
        {
            "officer_ids": [C],
            "lead_id": C,
            "visit_ids": [],
            "stops": 0,
            "distance_m": 0,
            "duration_s": 0,
            "start_at": None,
            "end_at": None,
            "clerk_distance_m": 0,
            "saved_m": 0,
            "saved_km": 0.0,
            "clerk_late_visits": 0,
            "clerk_order_kept": False,
        },
    ],
    "distance_m": 24078,
    "clerk_distance_m": 37513,
    "saved_m": 13435,
    "saved_km": 13.4,
    "visits": 1,
    "unassigned": [
        {
            "borrower_id": C,
            "name": "借款人7",
            "score": 54,
            "reason": "already_planned",
            "text": "already has a visit on 2026-11-24",
            "text_zh": "2026-11-24已有走访安排",
        }
    ],
    "unscheduled": [{"visit_id": V2, "reason": "does_not_fit"}],
    "clerk_order": [C, A],
    "solver": {"iterations": 200, "solve_time_s": 0.123, "violations": []},
    "settings": {
        "visiting_hours": "08:00-21:00",
        "shift": ["10:00", "21:00"],
        "breaks": [["12:00", "13:00"]],
        "service_min": 40,
        "working_time_weight": 100,
        "travel": {"detour_factor": 1.3, "speed_kmh": 30.0, "remote_speed_kmh": 20.0},
        "timezone": "Asia/Urumqi",
    },
    "optimised_at": "2026-11-23T02:00:00+00:00",
    "moves": [{"visit_id": V2, "borrower_name": "借款人7", "from_route": 0, "to_route": None}],
}


def test_a_stored_summary_reads_and_writes_back_unchanged() -> None:
    summary = PlanSummary.model_validate(STORED)
    assert summary.routes[0].officer_ids[1].hex == B.replace("-", "")
    again = summary.model_dump(mode="json")
    assert json.dumps(again, ensure_ascii=False) == json.dumps(STORED, ensure_ascii=False)


def test_an_empty_summary_is_a_plan_without_routes() -> None:
    summary = PlanSummary.model_validate({})
    assert summary.routes == [] and summary.visits == 0 and summary.settings is None


def test_every_summary_field_is_documented_as_sent() -> None:
    schema = PlanSummaryItem.model_json_schema(mode="serialization")
    defs = schema["$defs"]
    assert set(defs["PlanSummary"]["required"]) == set(STORED)
    assert set(defs["RouteSummary"]["required"]) == set(STORED["routes"][0])
