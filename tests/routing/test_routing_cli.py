"""`fieldvisit route solve FILE.json`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from api.routing.cli import route_app

runner = CliRunner()


def request(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "time_limit_s": 10,
        "seed": 3,
        "max_iterations": 200,
        "vehicles": [{"id": "o1", "start": 0, "end": 0, "shift": [28_800, 64_800]}],
        "stops": [
            {"id": "a", "location": 1, "service_s": 1800, "window": [32_400, 43_200]},
            {"id": "b", "location": 2, "service_s": 1800},
            {"id": "c", "location": 3, "service_s": 1800, "prize": 100},
        ],
        "matrix": {
            "duration_s": [
                [0, 600, 700, 9000],
                [600, 0, 300, 9000],
                [700, 300, 0, 9000],
                [9000, 9000, 9000, 0],
            ],
            "distance_m": [
                [0, 5000, 6000, 90_000],
                [5000, 0, 2000, 90_000],
                [6000, 2000, 0, 90_000],
                [90_000, 90_000, 90_000, 0],
            ],
        },
    }
    data.update(changes)
    return data


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "day.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_solve_prints_answer_json_and_a_summary(tmp_path: Path) -> None:
    result = runner.invoke(route_app, ["solve", str(write(tmp_path, request()))])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["feasible"] is True
    assert answer["unassigned"] == ["c"]  # 100 m of prize is not worth a 180 km round trip
    assert answer["distance_m"] == 5000 + 2000 + 6000
    assert [s["id"] for s in answer["routes"][0]["stops"]] in (["a", "b"], ["b", "a"])
    assert "Routes" in result.stderr and "o1" in result.stderr
    assert "optional left out: c" in result.stderr


def test_out_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "answer.json"
    result = runner.invoke(
        route_app, ["solve", str(write(tmp_path, request())), "--out", str(out), "--seed", "9"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["feasible"] is True
    assert result.stdout == ""


def test_infeasible_plan_exits_3(tmp_path: Path) -> None:
    data = request()
    data["stops"][2]["prize"] = None  # 'c' is now required but 9000 s away each way
    data["vehicles"][0]["shift"] = [28_800, 40_000]
    result = runner.invoke(route_app, ["solve", str(write(tmp_path, data))])
    assert result.exit_code == 3
    assert json.loads(result.stdout)["unassigned_required"] == ["c"]
    assert "NOT feasible" in result.stderr


def test_invalid_request_explains_and_exits_2(tmp_path: Path) -> None:
    data = request()
    data["stops"][0]["location"] = 7
    result = runner.invoke(route_app, ["solve", str(write(tmp_path, data))])
    assert result.exit_code == 2
    assert "not a valid solve request" in result.stderr
    assert "location = 7" in result.stderr


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    result = runner.invoke(route_app, ["solve", str(path)])
    assert result.exit_code == 2 and "Cannot read" in result.stderr
    result = runner.invoke(route_app, ["solve", str(tmp_path / "missing.json")])
    assert result.exit_code == 2 and "Cannot read" in result.stderr


def test_reads_standard_input() -> None:
    result = runner.invoke(route_app, ["solve", "-"], input=json.dumps(request()))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["feasible"] is True
