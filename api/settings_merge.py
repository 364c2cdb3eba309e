"""Branch settings stored as JSON, read over a pydantic model's defaults. Pure.

Shared by every domain that keeps settings in `Branch.settings` (planning, travel,
priority, agreements), so none of them imports another for it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def merge_model(model: type[M], stored: Any) -> M:
    """`stored` over the model's defaults; unknown keys and invalid values are ignored, so a
    bad stored setting never stops the work that reads it."""
    values = (
        {k: v for k, v in stored.items() if k in model.model_fields}
        if isinstance(stored, dict)
        else {}
    )
    while True:
        try:
            return model.model_validate(values)
        except ValidationError as exc:
            bad = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
            if not bad & values.keys():
                return model()
            values = {k: v for k, v in values.items() if k not in bad}
