"""Public (response) models made from stored records: one way for every domain."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

Public = TypeVar("Public", bound=BaseModel)


def from_record(model: type[Public], record: object, **joined: object) -> Public:
    """`model` from the record's attributes of the same names and what the caller joined in
    (values the record lacks or names differently). Attributes, not model_dump(): enum columns
    come back from the database as plain str, and a record need not be a model at all."""
    return model.model_validate(
        {
            name: joined[name] if name in joined else getattr(record, name)
            for name in model.model_fields
        }
    )
