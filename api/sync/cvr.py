"""Client view records: the set of (entity, id, version) a device should hold, and the
difference between two such sets. Pure: no database, no FastAPI."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Referenced rows first, so a phone applying a page in order never meets a dangling id.
ENTITY_ORDER = (
    "officer",
    "branch",
    "policy",
    "reference",
    "hardship_reason",
    "borrower",
    "visit",
    "route",
    "promise",
    "agreement",
)
_RANK = {name: i for i, name in enumerate(ENTITY_ORDER)}


def record_key(entity: str, row_id: object) -> str:
    return f"{entity}:{row_id}"


def split_key(key: str) -> tuple[str, str]:
    entity, _, row_id = key.partition(":")
    return entity, row_id


def composite_version(*parts: Any) -> int:
    """A version for a record built from several rows: changes whenever any part changes.
    52 bits, so it stays exact as a JavaScript number."""
    digest = hashlib.sha256(json.dumps(parts, default=str, separators=(",", ":")).encode())
    return int.from_bytes(digest.digest()[:8], "big") >> 12


@dataclass(frozen=True)
class Diff:
    puts: list[str]
    dels: list[str]

    def __len__(self) -> int:
        return len(self.puts) + len(self.dels)


def _order(key: str) -> tuple[int, str]:
    entity, row_id = split_key(key)
    return _RANK.get(entity, len(_RANK)), row_id


def diff(old: Mapping[str, int], new: Mapping[str, int]) -> Diff:
    puts = [k for k, v in new.items() if old.get(k) != v]
    dels = [k for k in old if k not in new]
    return Diff(sorted(puts, key=_order), sorted(dels, key=_order))


def page(full: Diff, limit: int) -> tuple[Diff, bool]:
    """The first `limit` changes (puts first), and whether more remain."""
    puts = full.puts[:limit]
    dels = full.dels[: max(0, limit - len(puts))]
    return Diff(puts, dels), len(puts) + len(dels) < len(full)


def advance(old: Mapping[str, int], new: Mapping[str, int], sent: Diff) -> dict[str, int]:
    """What the device holds once it has applied `sent` on top of `old`."""
    held = dict(old)
    for key in sent.puts:
        held[key] = new[key]
    for key in sent.dels:
        held.pop(key, None)
    return held
