"""Solve request validation: every mistake is refused with a message that says what to fix."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from api.routing.schemas import MAX_STOPS, SolveRequest


def example() -> dict[str, Any]:
    return {
        "time_limit_s": 5,
        "seed": 1,
        "vehicles": [{"id": "o1", "start": 0, "end": 0, "shift": [0, 36000], "capacity": 12}],
        "stops": [
            {
                "id": "s1",
                "location": 1,
                "service_s": 1800,
                "window": [0, 36000],
                "demand": 1,
                "prize": None,
            },
            {"id": "s2", "location": 2, "service_s": 1800, "prize": 5000},
        ],
        "matrix": {
            "duration_s": [[0, 60, 90], [60, 0, 30], [90, 30, 0]],
            "distance_m": [[0, 600, 900], [600, 0, 300], [900, 300, 0]],
        },
    }


def test_example_request_parses() -> None:
    request = SolveRequest.model_validate(example())
    assert request.stops[0].required and not request.stops[1].required
    assert request.stops[1].window is None and request.stops[1].demand == 1
    assert request.vehicles[0].max_duration_s is None
    assert request.max_iterations is None
    duration, distance = request.matrix.arrays() if request.matrix else (None, None)
    assert duration is not None and distance is not None
    assert duration.shape == (3, 3) and int(distance[0, 2]) == 900


def test_locations_instead_of_matrix() -> None:
    data = example()
    del data["matrix"]
    data["locations"] = [{"lat": 37.43, "lon": 116.35}, {"lat": 37.44, "lon": 116.36}] * 2
    request = SolveRequest.model_validate(data)
    assert request.num_locations == 4


def broken(path: str, value: Any) -> dict[str, Any]:
    """The example with one field replaced (dotted path, integers index lists)."""
    data = copy.deepcopy(example())
    target: Any = data
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is DELETE:
        del target[last]
    elif last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return data


DELETE = object()

CASES = [
    ("matrix.duration_s.1", [60, 0], "square"),
    ("matrix.distance_m", [[0, 1], [1, 0]], "rows"),
    ("matrix.duration_s", [], "empty"),
    ("matrix.distance_m.0.1", -5, "distance_m[0][1] = -5"),
    ("matrix.duration_s.2.2", 7, "duration_s[2][2] = 7"),
    ("matrix.duration_s.0.1", 10**10, "between 0 and"),
    ("matrix.duration_s.0.1", "soon", "integer"),
    ("stops.0.location", 3, "location = 3"),
    ("vehicles.0.end", 9, "end = 9"),
    ("stops.0.window", [500, 100], "after it ends"),
    ("stops.0.window", [0, 600], "widen the window"),
    ("stops.0.window", [0], "window"),
    ("stops.0.service_s", -1, "greater than or equal to 0"),
    ("stops.0.demand", -1, "greater than or equal to 0"),
    ("stops.0.prize", -1, "greater than or equal to 0"),
    ("stops.1.id", "s1", "stop id 's1' appears more than once"),
    ("stops.0.id", "", "at least 1 character"),
    ("vehicles.0.shift", [100, 0], "shift starts at 100 after it ends at 0"),
    ("vehicles.0.capacity", -3, "greater than or equal to 0"),
    ("vehicles.0.max_duration_s", 0, "greater than 0"),
    ("vehicles", [], "at least 1"),
    ("vehicles.0.colour", "red", "Extra inputs are not permitted"),
    ("time_limit_s", 0.05, "greater than or equal to 0.1"),
    ("time_limit_s", 61, "less than or equal to 60"),
    ("max_iterations", 0, "greater than or equal to 1"),
    ("seed", -1, "greater than or equal to 0"),
    ("matrix", DELETE, "exactly one of 'matrix' or 'locations'"),
    ("locations", [{"lat": 1, "lon": 2}], "exactly one of 'matrix' or 'locations'"),
]


@pytest.mark.parametrize(("path", "value", "message"), CASES)
def test_mistakes_are_refused_with_a_clear_message(path: str, value: Any, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        SolveRequest.model_validate(broken(path, value))
    assert message in str(info.value)


def test_duplicate_vehicle_ids() -> None:
    data = example()
    data["vehicles"].append(dict(data["vehicles"][0]))
    with pytest.raises(ValidationError, match="vehicle id 'o1' appears more than once"):
        SolveRequest.model_validate(data)


def test_location_out_of_range_with_locations() -> None:
    data = example()
    del data["matrix"]
    data["locations"] = [{"lat": 37.43, "lon": 116.35}, {"lat": 37.44, "lon": 116.36}]
    with pytest.raises(ValidationError, match=r"locations has only 2 locations \(indices 0..1\)"):
        SolveRequest.model_validate(data)


def test_bad_coordinates() -> None:
    data = example()
    del data["matrix"]
    data["locations"] = [{"lat": 91, "lon": 0}] * 3
    with pytest.raises(ValidationError, match="less than or equal to 90"):
        SolveRequest.model_validate(data)


def test_too_many_stops() -> None:
    data = example()
    data["stops"] = [{"id": f"s{k}", "location": 1} for k in range(MAX_STOPS + 1)]
    with pytest.raises(ValidationError, match=f"at most {MAX_STOPS} items"):
        SolveRequest.model_validate(data)


def test_window_exactly_as_long_as_the_visit_is_fine() -> None:
    SolveRequest.model_validate(broken("stops.0.window", [100, 1900]))
