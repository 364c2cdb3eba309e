"""The sample of follow-up calls: deterministic per visit, about the branch's share."""

from __future__ import annotations

import uuid

import pytest

from api.feedback.sample import DEFAULT_SHARE, feedback_share, in_sample, position


def test_the_same_visit_is_always_drawn_the_same_way() -> None:
    ids = [uuid.UUID(int=i * 7919) for i in range(200)]
    first = [in_sample(v, 0.3) for v in ids]
    assert first == [in_sample(v, 0.3) for v in ids]
    assert all(0 <= position(v) < 1 for v in ids)


def test_a_larger_share_keeps_every_visit_a_smaller_one_drew() -> None:
    ids = [uuid.UUID(int=i * 104729 + 1) for i in range(500)]
    small = {v for v in ids if in_sample(v, 0.1)}
    large = {v for v in ids if in_sample(v, 0.5)}
    assert small <= large


def test_the_share_of_many_visits_is_close_to_the_setting() -> None:
    ids = [uuid.uuid5(uuid.NAMESPACE_OID, str(i)) for i in range(5000)]
    drawn = sum(in_sample(v, 0.10) for v in ids)
    assert 400 <= drawn <= 600
    assert not any(in_sample(v, 0.0) for v in ids)
    assert all(in_sample(v, 1.0) for v in ids)


@pytest.mark.parametrize(
    ("settings", "share"),
    [
        ({}, DEFAULT_SHARE),
        ({"feedback_share": 0.25}, 0.25),
        ({"feedback_share": 1}, 1.0),
        ({"feedback_share": -0.1}, DEFAULT_SHARE),
        ({"feedback_share": 2}, DEFAULT_SHARE),
        ({"feedback_share": "0.5"}, DEFAULT_SHARE),
        ({"feedback_share": True}, DEFAULT_SHARE),
        ({"feedback_share": float("nan")}, DEFAULT_SHARE),
        (None, DEFAULT_SHARE),
    ],
)
def test_the_branch_setting_is_read_with_a_safe_default(settings: object, share: float) -> None:
    assert feedback_share(settings) == share
