"""Which completed visits get a follow-up call. Pure: the same visit is always in or out
of the sample for a given share, so listing twice draws nothing new."""

from __future__ import annotations

import hashlib
import math
import uuid
from typing import Any

DEFAULT_SHARE = 0.10


def feedback_share(settings: Any) -> float:
    """`settings["feedback_share"]` (0..1), the default when unset or not a usable number."""
    value = settings.get("feedback_share") if isinstance(settings, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return DEFAULT_SHARE
    if not math.isfinite(value) or not 0 <= value <= 1:
        return DEFAULT_SHARE
    return float(value)


def position(visit_id: uuid.UUID) -> float:
    """The visit's place in [0, 1): the first 8 bytes of a SHA-256 of its id."""
    digest = hashlib.sha256(visit_id.bytes).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def in_sample(visit_id: uuid.UUID, share: float) -> bool:
    return position(visit_id) < share
